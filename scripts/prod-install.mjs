#!/usr/bin/env node
// `npm run test:prod-install` (run by .ci/run): proves "build once, run anywhere". The build made
// here is copied, with the checkout's files, to a scratch folder standing in for a serving host,
// which gets only the runtime dependencies (`npm ci --omit=dev`) and then:
//   1. `npm run serve` with no build refuses with a clear message;
//   2. with the copied build, `npm run serve` migrates a fresh embedded database and serves
//      /sign-in with 200, without building;
//   3. `npm run keys:rotate` runs there against that database;
//   4. with TEST_POSTGRES_URL, `npm run db:migrate` fills a fresh PostgreSQL database's
//      _prisma_migrations and a re-run applies nothing.
// Each step is bounded; the whole check takes about a minute when the build exists.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { runOnNode24 } from "./lib/node24.mjs";
import { distDir, ensureBuild, ensureDependencies, ensurePrismaClient, root, step } from "./lib/setup.mjs";

await runOnNode24();
process.env.NEXT_TELEMETRY_DISABLED = "1";

let passed = 0;
let since = Date.now();
function pass(what) {
  passed++;
  console.log(`  ✓ ${what} (${((Date.now() - since) / 1000).toFixed(0)} s)`);
  since = Date.now();
}
function fail(what, output = "") {
  console.error(`\n✗ production install: ${what}\n${output.slice(-4000)}`);
  console.log(`\nprod-install: ${passed} passed, 1 failed`);
  process.exit(1);
}

/** Runs a command to completion within `timeoutMs`; returns its exit status and output. */
function exec(cmd, args, { cwd, env, timeoutMs }) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" });
  return {
    status: r.status,
    output: `${r.stdout ?? ""}${r.stderr ?? ""}`,
    timedOut: r.error?.code === "ETIMEDOUT",
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

// The build host: this checkout, built if needed.
ensureDependencies();
ensurePrismaClient();
ensureBuild();

const scratch = mkdtempSync(path.join(os.tmpdir(), "byok-prod-install-"));
const app = path.join(scratch, "app");
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
// A serving host's environment: nothing of this machine's configuration, embedded mode.
const env = { ...process.env, BYOK_DATA_DIR: path.join(scratch, "data"), NODE_ENV: "production" };
for (const name of [
  "DATABASE_URL",
  "REDIS_URL",
  "BYOK_MASTER_KEYS",
  "BYOK_ACTIVE_KEY_ID",
  "AUTH_SECRET",
  "AUTH_URL",
  "NEXT_DIST_DIR",
  "BYOK_SKIP_BUILD",
])
  delete env[name];

step(`Production install in ${app}`);
since = Date.now();
const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
});
if (files.status !== 0) fail("git ls-files failed (run this from a git checkout)", files.stderr);
for (const rel of files.stdout.split("\0").filter(Boolean)) {
  if (!existsSync(path.join(root, rel))) continue; // deleted, not yet committed
  mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
  cpSync(path.join(root, rel), path.join(app, rel));
}

const install = exec("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund"], {
  cwd: app,
  env,
  timeoutMs: 300_000,
});
if (install.status !== 0) fail(`npm ci --omit=dev failed (exit ${install.status})`, install.output);
if (/EBADENGINE/.test(install.output)) fail("npm ci printed an engine warning", install.output);
// Packages the lockfile marks dev-only must be absent (a devDependency that is also an optional
// peer of a runtime package, like typescript for prisma, is "devOptional" and rightly installed).
const lock = JSON.parse(readFileSync(path.join(app, "package-lock.json"), "utf8"));
const devOnly = Object.entries(lock.packages).filter(([key, p]) => key && p.dev === true);
const leaked = devOnly.filter(([key]) => existsSync(path.join(app, key))).map(([key]) => key);
if (!devOnly.length || leaked.length) fail(`--omit=dev still installed ${leaked.join(", ")}`);
pass(
  `npm ci --omit=dev on Node ${process.version}: none of ${devOnly.length} dev-only packages, no engine warning`,
);

const refused = exec("npm", ["run", "serve"], { cwd: app, env, timeoutMs: 60_000 });
if (refused.status === 0 || !/no production build/.test(refused.output))
  fail(`npm run serve without a build did not refuse clearly (exit ${refused.status})`, refused.output);
pass("npm run serve without a build refuses: no production build to serve");

const dist = distDir();
cpSync(dist, path.join(app, ".next"), {
  recursive: true,
  filter: (src) => src !== path.join(dist, "cache"),
});

const port = await freePort();
const server = spawn("npm", ["run", "serve"], {
  cwd: app,
  env: { ...env, PORT: String(port) },
  stdio: ["ignore", "pipe", "pipe"],
  detached: true, // its own process group: npm, start.mjs and next start end together below
});
let log = "";
server.stdout.on("data", (d) => (log += d));
server.stderr.on("data", (d) => (log += d));
let exited = false;
server.on("exit", () => (exited = true));
const stopServer = async () => {
  if (exited) return;
  process.kill(-(/** @type {number} */ (server.pid)), "SIGTERM");
  for (let i = 0; i < 100 && !exited; i++) await new Promise((r) => setTimeout(r, 200));
  if (!exited) process.kill(-(/** @type {number} */ (server.pid)), "SIGKILL");
};
process.on("exit", () => {
  if (!exited) process.kill(-(/** @type {number} */ (server.pid)), "SIGKILL");
});

let status = 0;
const until = Date.now() + 120_000;
while (Date.now() < until && !exited) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/sign-in`, { signal: AbortSignal.timeout(10_000) });
    status = res.status;
    await res.arrayBuffer();
    if (status === 200) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 500));
}
await stopServer();
if (status !== 200)
  fail(`GET /sign-in answered ${status || "nothing"} (server ${exited ? "exited" : "running"})`, log);
if (/Building the app|next build/.test(log)) fail("npm run serve built the app", log);
if (/EBADENGINE/.test(log)) fail("npm run serve printed an engine warning", log);
if (/not made from the sources/.test(log))
  fail("the copied build's source hash did not match its sources", log);
pass(`npm run serve: fresh embedded database migrated, GET /sign-in → 200 on :${port}, no build`);
pass("the copied build is recognised as current: its source hash does not depend on the folder");

const rotate = exec("npm", ["run", "keys:rotate"], { cwd: app, env, timeoutMs: 120_000 });
if (rotate.status !== 0) fail(`npm run keys:rotate failed (exit ${rotate.status})`, rotate.output);
pass("npm run keys:rotate runs with the runtime dependencies only");

// PostgreSQL (CI sets TEST_POSTGRES_URL): `npm run db:migrate` from the same install applies the
// committed migrations to a fresh database with Prisma's _prisma_migrations bookkeeping.
if (process.env.TEST_POSTGRES_URL) {
  const { default: pg } = await import("pg");
  const admin = new URL(process.env.TEST_POSTGRES_URL);
  const name = `byok_prod_install_${process.pid}`;
  const target = new URL(admin);
  target.pathname = `/${name}`;
  const query = async (url, sql) => {
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  // Checked first, reported after the scratch database is dropped (fail() exits at once).
  const check = async () => {
    const pgEnv = { ...env, DATABASE_URL: target.href };
    const first = exec("npm", ["run", "db:migrate"], { cwd: app, env: pgEnv, timeoutMs: 120_000 });
    if (first.status !== 0) return [`db:migrate on PostgreSQL failed (exit ${first.status})`, first.output];
    const again = exec("npm", ["run", "db:migrate"], { cwd: app, env: pgEnv, timeoutMs: 120_000 });
    if (again.status !== 0 || !/up to date/.test(again.output))
      return ["a second db:migrate on PostgreSQL did not report up to date", again.output];
    const rows = await query(
      target,
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL",
    );
    const committed = readdirSync(path.join(app, "prisma/migrations"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const recorded = rows.map((r) => r.migration_name).sort();
    if (JSON.stringify(recorded) !== JSON.stringify(committed))
      return [`_prisma_migrations holds ${recorded.join(", ")}; committed: ${committed.join(", ")}`, ""];
    return [null, `${committed.length} migration(s) in _prisma_migrations, re-run applies none`];
  };
  let outcome;
  try {
    outcome = await check();
  } finally {
    await query(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
  if (outcome[0]) fail(outcome[0], outcome[1]);
  pass(`npm run db:migrate on PostgreSQL: ${outcome[1]}`);
}

console.log(`\nprod-install: ${passed} passed, 0 failed`);
