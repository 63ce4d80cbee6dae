// Shared steps of `npm start` and `npm test`: plain Node, no dependencies, so they run on a
// fresh clone before anything is installed.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

/** npm ci when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step("Installing dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

/** The Prisma client is generated, not committed; regenerate when the schema changed. */
export function ensurePrismaClient() {
  const schema = path.join(root, "prisma/schema.prisma");
  const hashFile = path.join(root, "lib/db/generated/.schema-hash");
  const hash = createHash("sha256").update(readFileSync(schema)).digest("hex");
  if (existsSync(hashFile) && readFileSync(hashFile, "utf8") === hash) return;
  step("Generating the Prisma client");
  // generate needs no schema engine; /bin/false stops the CLI from trying to download one.
  run("npx", ["prisma", "generate"], { env: { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" } });
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

const SOURCE_DIRS = ["app", "lib", "public", "prisma"];
const SOURCE_FILES = [
  "next.config.ts",
  "proxy.ts",
  "auth.config.ts",
  "package-lock.json",
  "postcss.config.mjs",
  "tsconfig.json",
];

function hashSources() {
  const h = createHash("sha256");
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (name === "generated" || name.endsWith(".test.ts")) continue;
      const p = path.join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  for (const f of SOURCE_FILES)
    if (existsSync(path.join(root, f))) h.update(f).update(readFileSync(path.join(root, f)));
  return h.digest("hex");
}

/** next build, skipped when the sources are unchanged since the last build. */
export function ensureBuild() {
  const hashFile = path.join(root, ".next/.source-hash");
  const hash = hashSources();
  if (
    existsSync(path.join(root, ".next/BUILD_ID")) &&
    existsSync(hashFile) &&
    readFileSync(hashFile, "utf8") === hash
  ) {
    return;
  }
  step("Building the app (next build)");
  // Webpack, not Turbopack: the chat page ships ~32 kB less JavaScript (gzip) with it, which is
  // what keeps it inside its First Load budget (bench/budget.json).
  run("npx", ["next", "build", "--webpack"], { env: { NEXT_TELEMETRY_DISABLED: "1" } });
  // Hash again: next build may rewrite tsconfig.json.
  writeFileSync(hashFile, hashSources());
}
