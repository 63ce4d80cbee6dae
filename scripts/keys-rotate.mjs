#!/usr/bin/env node
// `npm run keys:rotate`: re-encrypts every stored provider key under the active master key
// (scripts/rotate-keys.ts says how to rotate). On Node 24 like `npm start`; needs only the
// runtime dependencies, so it runs on a serving host installed with `npm ci --omit=dev`.
import { spawn } from "node:child_process";
import path from "node:path";
import { runOnNode24 } from "./lib/node24.mjs";
import { handOver } from "./lib/proc.mjs";
import { bin, ensureDependencies, ensurePrismaClient, root } from "./lib/setup.mjs";

await runOnNode24();
ensureDependencies({ production: true });
ensurePrismaClient();
const script = path.join(root, "scripts", "rotate-keys.ts");
handOver(spawn(bin("tsx"), [script, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" }));
