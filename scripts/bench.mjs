#!/usr/bin/env node
// `npm run bench` / `npm run bench:steps`: the same setup as `npm start` (Node 24, dependencies,
// Prisma client, a current production build), then the benchmark (bench/run.ts, or bench/steps.ts
// with `steps` as the first argument) under tsx with the remaining arguments.
import { spawn } from "node:child_process";
import path from "node:path";
import { runOnNode24 } from "./lib/node24.mjs";
import { handOver } from "./lib/proc.mjs";
import { bin, ensureBuild, ensureDependencies, ensurePrismaClient, root } from "./lib/setup.mjs";

await runOnNode24();
process.env.NEXT_TELEMETRY_DISABLED = "1";
const args = process.argv.slice(2);
const steps = args[0] === "steps";
const script = path.join(root, "bench", steps ? "steps.ts" : "run.ts");
const rest = steps ? args.slice(1) : args;

ensureDependencies();
ensurePrismaClient();
// bench/steps.ts runs the library in-process; bench/run.ts serves the build (unless --no-build).
if (!steps && !rest.includes("--no-build")) ensureBuild();

const child = spawn(bin("tsx"), [script, ...rest], { cwd: root, stdio: "inherit" });
handOver(child);
