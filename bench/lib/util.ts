import { execFileSync } from "node:child_process";
import { root } from "../../scripts/lib/setup.mjs";

export function log(line: string): void {
  console.log(`▸ ${new Date().toISOString().slice(11, 19)} ${line}`);
}

/** The commit measured, and whether the tree had uncommitted changes. */
export function gitDescribe(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain"], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim() !== "";
    return dirty ? `${head}+dirty` : head;
  } catch {
    return "unknown";
  }
}
