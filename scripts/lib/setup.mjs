// Shared steps of `npm start`, `npm test`, `npm run build` and `npm run bench`: plain Node, no
// dependencies, so they run on a fresh clone before anything is installed. The entry scripts call
// runOnNode24() (./node24.mjs) first, so these steps and all they spawn run on Node >= 22.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashSources } from "./source-hash.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    ...opts,
    env: { ...process.env, ...opts.env },
  });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

export function step(title) {
  console.log(`\n▸ ${title}`);
}

/** A tool from this checkout's node_modules/.bin (never npx: it would fetch a missing one). */
export const bin = (name) => path.join(root, "node_modules", ".bin", name);

/**
 * npm ci when node_modules is missing, older than the lockfile, or lacks a package the task needs.
 * `production: true` (serving an existing build) needs only `dependencies` and installs with
 * --omit=dev; building and testing need the devDependencies too.
 */
export function ensureDependencies({ production = false } = {}) {
  const marker = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const needed = Object.keys({ ...pkg.dependencies, ...(production ? {} : pkg.devDependencies) });
  if (
    existsSync(marker) &&
    statSync(marker).mtimeMs >= statSync(lock).mtimeMs &&
    needed.every((name) => existsSync(path.join(root, "node_modules", name, "package.json")))
  ) {
    return;
  }
  const args = ["ci", "--no-audit", "--no-fund", ...(production ? ["--omit=dev"] : [])];
  step(`Installing dependencies (npm ${args.join(" ")}) on Node ${process.version}`);
  run("npm", args);
}

/** The Prisma client is generated, not committed; regenerate when the schema changed. */
export function ensurePrismaClient() {
  const schema = path.join(root, "prisma/schema.prisma");
  const hashFile = path.join(root, "lib/db/generated/.schema-hash");
  const hash = createHash("sha256").update(readFileSync(schema)).digest("hex");
  if (existsSync(hashFile) && readFileSync(hashFile, "utf8") === hash) return;
  step("Generating the Prisma client");
  // generate needs no schema engine; /bin/false stops the CLI from trying to download one.
  run(bin("prisma"), ["generate"], { env: { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" } });
  writeFileSync(hashFile, hash);
}

/**
 * Embedded default mode: create the master key and auth secret on first start, into the
 * git-ignored data directory. A server deployment (DATABASE_URL) must configure both itself.
 */
export function ensureSecrets(dataDir, env = process.env) {
  const embedded = !env.DATABASE_URL;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const missing = [];
  if (!env.BYOK_MASTER_KEYS) {
    const file = path.join(dataDir, "master.key");
    if (!embedded) missing.push("BYOK_MASTER_KEYS");
    else if (!existsSync(file)) {
      const kid = `local-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
      writeFileSync(file, `${kid}:${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
      console.warn(
        `\n⚠  No BYOK_MASTER_KEYS set: generated a master key in ${path.relative(root, file) || file}.\n` +
          "   It encrypts every stored API key. Back it up; losing it means users must re-enter their keys.\n" +
          "   For production set BYOK_MASTER_KEYS instead (see README).\n",
      );
    }
  }
  if (!env.AUTH_SECRET) {
    const file = path.join(dataDir, "auth.secret");
    if (!embedded) missing.push("AUTH_SECRET");
    else if (!existsSync(file))
      writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  }
  if (missing.length) {
    console.error(
      `\n✗ Missing required configuration for PostgreSQL mode: ${missing.join(", ")} (see README).`,
    );
    process.exit(1);
  }
}

/** Next's build folder (NEXT_DIST_DIR lets a bench or scratch build sit beside the main one). */
export const distDir = () => path.resolve(root, process.env.NEXT_DIST_DIR || ".next");
const sourceHashFile = () => path.join(distDir(), ".source-hash");

/** A production build exists (next start can serve it). */
export function hasBuild() {
  return existsSync(path.join(distDir(), "BUILD_ID"));
}

/** The build exists and was made from the sources in this checkout (wherever it now lives). */
export function buildIsCurrent() {
  const file = sourceHashFile();
  return hasBuild() && existsSync(file) && readFileSync(file, "utf8") === hashSources(root);
}

/** next build, then record the hash of the sources it was built from. */
export function build() {
  step("Building the app (next build)");
  // Webpack, not Turbopack: the chat page ships ~32 kB less JavaScript (gzip) with it, which is
  // what keeps it inside its First Load budget (bench/budget.json).
  run(bin("next"), ["build", "--webpack"], { env: { NEXT_TELEMETRY_DISABLED: "1" } });
  // Hash after the build: next build may rewrite tsconfig.json.
  writeFileSync(sourceHashFile(), hashSources(root));
}

/** next build, skipped when the sources are unchanged since the last build. */
export function ensureBuild() {
  if (!buildIsCurrent()) build();
}
