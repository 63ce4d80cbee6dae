// What decides whether `npm start` rebuilds: one hash over every file that goes into the
// production build. Paths enter the hash relative to the checkout (with / separators), so moving
// or copying a checkout keeps its build; any content change, added or removed file changes it.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Every file next build reads from the repository, relative to the checkout: `dir/**` is every
 * file under dir, `*` matches within one name. (A two-rule matcher rather than fs.globSync, which
 * Node 20 lacks: BYOK_NO_NODE_BOOTSTRAP=1 may keep an older node.)
 */
export const BUILD_INPUTS = [
  "app/**",
  "lib/**",
  "public/**",
  "proxy.ts",
  "middleware.ts",
  "auth.config.ts",
  "instrumentation.ts",
  "instrumentation-client.ts",
  "next.config.*",
  "postcss.config.*",
  "tailwind.config.*",
  "tsconfig.json",
  "package-lock.json",
  "prisma/schema.prisma",
];

/** Never part of the bundle: tests, and the Prisma client generated from the hashed schema. */
const EXCLUDED = [/\.test\.tsx?$/, /^lib\/db\/generated\//];

function* walk(root, rel) {
  for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(root, child);
    else if (entry.isFile()) yield child;
  }
}

function* expand(root, pattern) {
  if (pattern.endsWith("/**")) {
    const dir = pattern.slice(0, -3);
    if (existsSync(path.join(root, dir)) && statSync(path.join(root, dir)).isDirectory())
      yield* walk(root, dir);
    return;
  }
  const slash = pattern.lastIndexOf("/");
  const dir = slash < 0 ? "" : pattern.slice(0, slash);
  const name = pattern.slice(slash + 1);
  const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`);
  if (!existsSync(path.join(root, dir))) return;
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true }))
    if (entry.isFile() && re.test(entry.name)) yield dir ? `${dir}/${entry.name}` : entry.name;
}

/** The build's input files under `root`, as sorted /-separated paths relative to it. */
export function listBuildInputs(root) {
  const files = new Set();
  for (const pattern of BUILD_INPUTS)
    for (const rel of expand(root, pattern)) if (!EXCLUDED.some((re) => re.test(rel))) files.add(rel);
  return [...files].sort();
}

/** sha256 over each input's relative path, length and content. */
export function hashSources(root) {
  const h = createHash("sha256");
  for (const rel of listBuildInputs(root)) {
    const content = readFileSync(path.join(root, rel));
    h.update(`${rel}\0${content.length}\0`).update(content);
  }
  return h.digest("hex");
}
