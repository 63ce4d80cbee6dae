#!/usr/bin/env node
// `npm run admin -- <grant|revoke|reset-link> <email>` or `npm run admin -- invite`: the
// operator's shell commands (scripts/admin-cli.ts). They work while the server runs: with
// DATABASE_URL directly against PostgreSQL; in embedded mode through the running server's
// control socket in the data directory (lib/operator/control-socket.ts). On Node 24 like
// `npm start`; needs only the runtime dependencies.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { runOnNode24 } from "./lib/node24.mjs";
import { handOver } from "./lib/proc.mjs";
import { bin, ensureDependencies, ensurePrismaClient, root } from "./lib/setup.mjs";

await runOnNode24();
ensureDependencies({ production: true });
ensurePrismaClient();
// The same configuration as `npm start` (which reads .env too).
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
const script = path.join(root, "scripts", "admin-cli.ts");
handOver(spawn(bin("tsx"), [script, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" }));
