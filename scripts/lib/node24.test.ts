import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MIN_NODE_MAJOR, NODE_VERSION } from "./node24.mjs";

// The bootstrap only acts under a node older than 22: find one on PATH (this machine kind ships
// Node 20). Where every node is new enough there is nothing to re-run and the suite is skipped.
function olderNode(): string | undefined {
  const all = spawnSync("which", ["-a", "node"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  return all.find((bin) => {
    const v = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
    return Number(v.slice(1).split(".")[0]) < MIN_NODE_MAJOR;
  });
}
const oldNode = olderNode();

const dir = mkdtempSync(path.join(os.tmpdir(), "byok-node24-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = path.join(dir, "entry.mjs");
writeFileSync(
  script,
  `import { runOnNode24 } from ${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, "node24.mjs")).href)};
await runOnNode24();
// The handler is in place before the line the test waits for, so a SIGTERM can't beat it.
process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(42); });
const which = (await import("node:child_process")).spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(JSON.stringify({ version: process.version, pathNode: which, args: process.argv.slice(2), pid: process.pid }));
if (process.argv.includes("--wait")) setInterval(() => {}, 1000); else process.exit(7);
`,
);
// What npm test / start hand down must not stop the older node from bootstrapping itself here.
const env = { ...process.env };
delete env.BYOK_NODE_BOOTSTRAPPED;
delete env.BYOK_NO_NODE_BOOTSTRAP;

describe.skipIf(!oldNode)(`an entry script started on an older node (${oldNode})`, () => {
  it(`re-runs itself on Node ${NODE_VERSION}, with it first on PATH, and exits with its code`, () => {
    const r = spawnSync(oldNode as string, [script, "a", "b"], { env, encoding: "utf8" });
    const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
    expect(JSON.parse(line ?? "{}")).toMatchObject({
      version: `v${NODE_VERSION}`,
      pathNode: `v${NODE_VERSION}`,
      args: ["a", "b"],
    });
    expect(r.status).toBe(7);
  }, 240_000);

  it("forwards SIGTERM to the re-run and exits as it does", async () => {
    const parent = spawn(oldNode as string, [script, "--wait"], { env });
    let out = "";
    parent.stdout.on("data", (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on("data", () => out.includes('"version"') && resolve());
      parent.on("exit", () => reject(new Error(`exited before the re-run started: ${out}`)));
    });
    const { pid } = JSON.parse(out.split("\n").find((l) => l.startsWith("{")) as string);
    const exit = new Promise<number | null>((resolve) => parent.on("exit", (code) => resolve(code)));
    try {
      parent.kill("SIGTERM");
      expect(await exit).toBe(42);
      expect(out).toContain("child got SIGTERM");
    } finally {
      // Never leave the re-run behind if the forwarding failed.
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone, as it should be
      }
    }
  }, 240_000);
});
