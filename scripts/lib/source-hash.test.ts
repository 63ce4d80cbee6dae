import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashSources, listBuildInputs } from "./source-hash.mjs";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkout(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "byok-hash-"));
  scratch.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const FIXTURE = {
  "app/page.tsx": "export default function Page() { return null; }\n",
  "app/page.test.ts": "it('x', () => {});\n",
  "lib/db/lock.ts": "export const lock = 1;\n",
  "lib/db/generated/client.ts": "export {};\n",
  "instrumentation.ts": "export async function register() {}\n",
  "next.config.ts": "export default {};\n",
  "package-lock.json": "{}\n",
  "prisma/schema.prisma": "// schema\n",
  "README.md": "not bundled\n",
};

describe("the build's source hash", () => {
  it("changes when instrumentation.ts or a lib/ file is edited", () => {
    const dir = checkout(FIXTURE);
    const before = hashSources(dir);
    writeFileSync(path.join(dir, "instrumentation.ts"), "export async function register() { 1; }\n");
    const afterInstrumentation = hashSources(dir);
    expect(afterInstrumentation).not.toBe(before);
    writeFileSync(path.join(dir, "lib/db/lock.ts"), "export const lock = 2;\n");
    expect(hashSources(dir)).not.toBe(afterInstrumentation);
  });

  it("stays the same when the checkout is moved to another folder", () => {
    const dir = checkout(FIXTURE);
    const moved = path.join(mkdtempSync(path.join(os.tmpdir(), "byok-moved-")), "deeper", "checkout");
    scratch.push(path.dirname(path.dirname(moved)));
    cpSync(dir, moved, { recursive: true });
    expect(hashSources(moved)).toBe(hashSources(dir));
  });

  it("ignores tests, the generated Prisma client and files outside the build", () => {
    const dir = checkout(FIXTURE);
    const before = hashSources(dir);
    writeFileSync(path.join(dir, "app/page.test.ts"), "it('y', () => {});\n");
    writeFileSync(path.join(dir, "lib/db/generated/client.ts"), "export const x = 1;\n");
    writeFileSync(path.join(dir, "README.md"), "edited\n");
    expect(hashSources(dir)).toBe(before);
  });

  it("counts a file added or renamed under a hashed folder", () => {
    const dir = checkout(FIXTURE);
    const before = hashSources(dir);
    writeFileSync(path.join(dir, "lib/new.ts"), "");
    const added = hashSources(dir);
    expect(added).not.toBe(before);
    rmSync(path.join(dir, "lib/new.ts"));
    writeFileSync(path.join(dir, "lib/renamed.ts"), "");
    expect(hashSources(dir)).not.toBe(added);
  });
});

// Every repository file the build can reach from its entry points (pages, layouts, route
// handlers, proxy, instrumentation, configs) through relative or "@/" imports must be hashed,
// or an edit to it would serve a stale build.
describe("the hashed inputs of this repository", () => {
  const IMPORT =
    /(?:^|[^\w$.])(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  const EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".mjs", ".js", "/index.ts", "/index.tsx"];

  function resolveImport(fromFile: string, spec: string): string | undefined {
    let base: string;
    if (spec.startsWith("@/")) base = path.join(repoRoot, spec.slice(2));
    else if (spec.startsWith(".")) base = path.resolve(path.dirname(fromFile), spec);
    else return undefined; // a package
    // The generated Prisma client is made from prisma/schema.prisma, which is hashed instead.
    if (base.startsWith(path.join(repoRoot, "lib/db/generated"))) return undefined;
    for (const ext of EXTENSIONS) {
      const file = base + ext;
      if (existsSync(file) && statSync(file).isFile()) return file;
    }
    throw new Error(`${path.relative(repoRoot, fromFile)}: cannot resolve ${spec}`);
  }

  it("include every source file reachable from the app's entry points", () => {
    const inputs = new Set(listBuildInputs(repoRoot));
    // Next.js's entry points, found independently of BUILD_INPUTS: app/ and the root conventions.
    const appFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? appFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    const entries = [
      ...appFiles(path.join(repoRoot, "app")).filter(
        (f) => /\.(tsx?|css)$/.test(f) && !/\.test\.tsx?$/.test(f),
      ),
      ...["proxy.ts", "middleware.ts", "instrumentation.ts", "instrumentation-client.ts", "next.config.ts"]
        .map((f) => path.join(repoRoot, f))
        .filter((f) => existsSync(f)),
    ];

    const reached = new Set<string>();
    const queue = [...entries];
    while (queue.length) {
      const file = queue.pop() as string;
      if (reached.has(file)) continue;
      reached.add(file);
      if (!/\.(tsx?|mts|mjs|js)$/.test(file)) continue;
      for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
        const target = resolveImport(file, (m[1] ?? m[2]) as string);
        if (target && !reached.has(target)) queue.push(target);
      }
    }
    const relReached = [...reached].map((f) => path.relative(repoRoot, f).split(path.sep).join("/"));
    expect(relReached.length).toBeGreaterThan(entries.length); // the walk followed imports
    expect(relReached.filter((f) => !inputs.has(f))).toEqual([]);
    expect(inputs.has("prisma/schema.prisma")).toBe(true);
  });
});
