#!/usr/bin/env node
// `node scripts/node24-run.mjs <command> [args…]`: runs a development command (next dev, the
// migration script, the mock upstream) on the same Node 24 as `npm start` and `npm test`, so no
// package.json script runs the app's code on an older machine node (scripts/lib/node24.mjs).
// The command is spawned, not imported: its own static imports (PGlite, Prisma) load under Node 24.
import { spawn } from "node:child_process";
import { runOnNode24 } from "./lib/node24.mjs";
import { handOver } from "./lib/proc.mjs";

await runOnNode24();
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node scripts/node24-run.mjs <command> [args…]");
  process.exit(2);
}
// `node …` means this very binary (Node 24 now), whatever `node` is first on PATH.
const bin = cmd === "node" ? process.execPath : cmd;
handOver(spawn(bin, args, { stdio: "inherit" }));
