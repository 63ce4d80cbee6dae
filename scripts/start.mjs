#!/usr/bin/env node
// `npm start`: install what is missing, prepare the database, build, serve on :3000.
// Embedded defaults: no configuration needed (PGlite in .data/, generated secrets).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  ensureBuild,
  ensureDependencies,
  ensurePrismaClient,
  ensureSecrets,
  root,
  step,
} from "./lib/setup.mjs";

// next start reads .env itself; read it here too so migrations target the same database.
if (existsSync(".env")) process.loadEnvFile(".env");
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = process.env.PORT || "3000";
const dataDir = path.resolve(root, process.env.BYOK_DATA_DIR || ".data");
const embedded = !process.env.DATABASE_URL;

ensureDependencies();
ensurePrismaClient();
ensureSecrets(dataDir);

step(
  embedded
    ? `Preparing the embedded database in ${path.relative(root, dataDir)}/`
    : "Applying migrations to PostgreSQL",
);
const { migrate } = await import("./migrate.mjs");
try {
  await migrate({ databaseUrl: process.env.DATABASE_URL, dataDir });
} catch (e) {
  console.error(`\n✗ ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

ensureBuild();

const env = {
  ...process.env,
  BYOK_DATA_DIR: dataDir,
  AUTH_URL: process.env.AUTH_URL || `http://localhost:${port}`,
  // Local model servers (Ollama, LM Studio) live on private addresses; a self-hosted
  // embedded install may reach them. Server deployments opt in explicitly.
  ALLOW_PRIVATE_BASE_URLS: process.env.ALLOW_PRIVATE_BASE_URLS ?? (embedded ? "true" : "false"),
  NODE_ENV: "production",
};
step(`Serving BYOK Chat on http://localhost:${port}`);
// scripts/server.mjs: next's server plus workers, client-address rewrite and graceful shutdown.
const child = spawn(process.execPath, [path.join(root, "scripts/server.mjs")], {
  cwd: root,
  env: { ...env, PORT: port },
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
