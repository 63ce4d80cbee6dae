#!/usr/bin/env node
import { spawnSync } from "node:child_process";
// `npm test`: the whole suite — typecheck, lint, unit + database tests (Vitest), then the
// browser e2e suite (Playwright + Chromium) against a production build and the mock upstream.
import { existsSync } from "node:fs";
import { ensureBuild, ensureDependencies, ensurePrismaClient, run, step } from "./lib/setup.mjs";

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
  run("npx", ["tsc", "--noEmit"]);
  step("Lint (biome)");
  run("npx", ["biome", "check", "."]);
  step("Unit and database tests (vitest)");
  run("npx", ["vitest", "run"]);
}
if (only !== "unit") {
  ensureChromium();
  ensureBuild();
  step("Browser end-to-end tests (playwright)");
  run("npx", ["playwright", "test"]);
}
console.log("\n✓ All tests passed");
