#!/usr/bin/env node
// `npm test`: the whole suite — typecheck, lint, unit + database tests (Vitest), then the
// browser e2e suite (Playwright + Chromium) against a production build and the mock upstream.
// Runs on Node 24 (installed from the npm registry first when the machine's node is older).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { runOnNode24 } from "./lib/node24.mjs";
import { bin, ensureBuild, ensureDependencies, ensurePrismaClient, run, step } from "./lib/setup.mjs";

await runOnNode24();

process.env.NEXT_TELEMETRY_DISABLED = "1";
const only = process.argv[2]; // optional: unit | e2e

function ensureChromium() {
  if (process.env.PLAYWRIGHT_CHROMIUM_PATH || existsSync("/usr/bin/chromium")) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && spawnSync("which", ["apt-get"]).status === 0) {
    step("Installing Chromium from Debian packages (first run only)");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "chromium"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
  } else {
    console.warn(
      "No /usr/bin/chromium and no apt as root: Playwright will use its own browser if installed.",
    );
  }
}

ensureDependencies();
ensurePrismaClient();

if (only !== "e2e") {
  step("Typecheck (tsc)");
  run(bin("tsc"), ["--noEmit"]);
  step("Lint (biome)");
  run(bin("biome"), ["check", "."]);
  step("Unit and database tests (vitest)");
  run(bin("vitest"), ["run"]);
}
if (only !== "unit") {
  ensureChromium();
  ensureBuild();
  step("Browser end-to-end tests (playwright)");
  run(bin("playwright"), ["test"]);
}
console.log("\n✓ All tests passed");
