#!/usr/bin/env node
// Serves the production build for the e2e suite: a fresh embedded database in a temp dir,
// provider base URLs pointed at the mock upstream. Started by playwright.config.ts.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureSecrets, root } from "../scripts/lib/setup.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { serverLogPath, serverStatePath } from "./server-log.mjs";

const port = process.env.E2E_APP_PORT || "3300";
const mock = process.env.E2E_MOCK_URL || "http://127.0.0.1:4300";
const dataDir = mkdtempSync(path.join(os.tmpdir(), "byok-e2e-"));
const cleanup = () => rmSync(dataDir, { recursive: true, force: true });

const env = { ...process.env };
delete env.DATABASE_URL;
ensureSecrets(dataDir, env);
await migrate({ dataDir });

// The production entry `npm start` uses (scripts/server.mjs), so the suite covers it.
const child = spawn(process.execPath, [path.join(root, "scripts/server.mjs")], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    ...env,
    NODE_ENV: "production",
    PORT: port,
    BYOK_DATA_DIR: dataDir,
    AUTH_URL: `http://localhost:${port}`,
    OPENAI_BASE_URL: `${mock}/v1`,
    GROQ_BASE_URL: `${mock}/openai/v1`,
    GOOGLE_GENERATIVE_AI_BASE_URL: `${mock}/v1beta`,
    ALLOW_PRIVATE_BASE_URLS: "true",
    // Every spec signs up fresh users from one address.
    RATE_LIMIT_SIGNUP_PER_15_MIN: "1000",
    NEXT_TELEMETRY_DISABLED: "1",
  },
});
// Everything the server prints is kept in a file so specs can prove no plaintext key is logged.
const log = createWriteStream(serverLogPath(port), { flags: "w" });
child.stdout.on("data", (b) => {
  process.stdout.write(b);
  log.write(b);
});
child.stderr.on("data", (b) => {
  process.stderr.write(b);
  log.write(b);
});
writeFileSync(serverStatePath(port), JSON.stringify({ dataDir, pid: child.pid }));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => {
  cleanup();
  process.exit(code ?? 0);
});
