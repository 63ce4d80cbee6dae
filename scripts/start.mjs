#!/usr/bin/env node
// `npm start`: install what is missing, prepare the database, build, serve on :3000.
// Embedded defaults: no configuration needed (PGlite in .data/, generated secrets).
//
// `npm run serve` (= `npm start -- --no-build`, or BYOK_SKIP_BUILD=1): serve an existing build
// as is, e.g. one made by `npm run build` on a build host and copied here; needs only the
// runtime dependencies (`npm ci --omit=dev`) and refuses to start when no build exists.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { runOnNode24 } from "./lib/node24.mjs";
import { handOver } from "./lib/proc.mjs";
import {
  buildIsCurrent,
  distDir,
  ensureBuild,
  ensureDependencies,
  ensurePrismaClient,
  ensureSecrets,
  hasBuild,
  root,
  step,
} from "./lib/setup.mjs";

await runOnNode24();

// next start reads .env itself; read it here too so migrations target the same database.
if (existsSync(".env")) process.loadEnvFile(".env");
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = process.env.PORT || "3000";
const dataDir = path.resolve(root, process.env.BYOK_DATA_DIR || ".data");
const embedded = !process.env.DATABASE_URL;
const serveOnly = process.argv.includes("--no-build") || process.env.BYOK_SKIP_BUILD === "1";

if (serveOnly && !hasBuild()) {
  console.error(
    `\n✗ --no-build: there is no production build in ${path.relative(root, distDir()) || distDir()}/ to serve.\n` +
      "  Build it first with `npm run build` (here, or on a build host and copy the folder),\n" +
      "  or run `npm start`, which builds when needed.",
  );
  process.exit(1);
}

ensureDependencies({ production: serveOnly });
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

if (!serveOnly) ensureBuild();
else if (!buildIsCurrent())
  console.warn("\n⚠  Serving the existing build, which was not made from the sources in this folder.");

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
handOver(child);
