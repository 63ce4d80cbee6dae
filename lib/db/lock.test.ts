import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/test/harness";
import { createDbClient } from "./index";
import { acquireDataDirLock, DataDirLockedError, lockFilePath, readDataDirLock } from "./lock.mjs";

const lockModule = path.resolve(import.meta.dirname, "lock.mjs");

/** A separate Node process that takes the directory's lock and keeps it until killed. */
async function spawnHolder(dataDir: string): Promise<ChildProcess & { pid: number }> {
  const code = `import { acquireDataDirLock } from ${JSON.stringify(lockModule)};
    acquireDataDirLock(${JSON.stringify(dataDir)}, "test holder"); console.log("locked"); setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
    child.once("exit", (c) => reject(new Error(`holder exited early (${c})`)));
  });
  return child as ChildProcess & { pid: number };
}

async function kill(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

describe("data directory lock", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "byok-lock-"));
  const dataDir = path.join(root, "data");
  const children: ChildProcess[] = [];
  let userId: string;

  beforeAll(async () => {
    await migrate({ dataDir, log: () => {} });
    const handle = createDbClient({ dataDir });
    userId = (await handle.prisma.user.create({ data: { email: "keep@example.test" } })).id;
    await handle.close();
  });
  afterAll(async () => {
    for (const c of children) await kill(c);
    rmSync(root, { recursive: true, force: true });
  });

  it("makes a second process fail fast with a clear message; the data is unharmed after", async () => {
    const holder = await spawnHolder(dataDir);
    children.push(holder);
    expect(readDataDirLock(dataDir)).toMatchObject({ pid: holder.pid, purpose: "test holder" });

    const expected = new RegExp(`${dataDir}.*in use by process ${holder.pid} \\(test holder.*DATABASE_URL`);
    await expect(migrate({ dataDir, log: () => {} })).rejects.toThrow(expected);
    expect(() => createDbClient({ dataDir })).toThrow(DataDirLockedError);
    expect(() => createDbClient({ dataDir })).toThrow(expected);

    // SIGKILL runs no exit handler: the lock file stays behind, naming a dead pid.
    await kill(holder);
    expect(readDataDirLock(dataDir)?.pid).toBe(holder.pid);

    const handle = createDbClient({ dataDir });
    try {
      expect(await handle.prisma.user.findUnique({ where: { id: userId } })).toMatchObject({
        email: "keep@example.test",
      });
      expect(readDataDirLock(dataDir)?.pid).toBe(process.pid);
    } finally {
      await handle.close();
    }
    expect(readDataDirLock(dataDir)).toBeNull();
  });

  it("refuses a second opener inside the same process", async () => {
    const handle = createDbClient({ dataDir, purpose: "first" });
    try {
      expect(() => createDbClient({ dataDir })).toThrow(/in use by this process .*first/);
      await expect(migrate({ dataDir, log: () => {} })).rejects.toThrow(DataDirLockedError);
    } finally {
      await handle.close();
    }
  });
});

it("refuses to open a directory that was never migrated, and keeps no lock", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "byok-empty-"));
  try {
    expect(() => createDbClient({ dataDir: dir })).toThrow(/No embedded database in .*migrate\.mjs/);
    expect(readDataDirLock(dir)).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("stale lock detection", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "byok-lockfile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (holder: object) => writeFileSync(lockFilePath(dir), JSON.stringify(holder));

  it("takes over a lock whose pid is alive but belongs to a different process start (pid reuse)", () => {
    write({ pid: process.pid, startTime: 1, purpose: "old", acquiredAt: "2000-01-01T00:00:00Z", token: "x" });
    const lock = acquireDataDirLock(dir, "new");
    expect(readDataDirLock(dir)).toMatchObject({ pid: process.pid, purpose: "new" });
    lock.release();
    expect(readDataDirLock(dir)).toBeNull();
  });

  it("treats a fresh unreadable lock as being written, not as stale", () => {
    writeFileSync(lockFilePath(dir), "");
    expect(() => acquireDataDirLock(dir, "new")).toThrow(/in use by another process/);
    rmSync(lockFilePath(dir));
  });

  it("release() leaves a lock that is no longer its own alone", () => {
    const lock = acquireDataDirLock(dir, "mine");
    write({ pid: 1, startTime: 0, purpose: "someone else", acquiredAt: "now", token: "y" });
    lock.release();
    expect(readDataDirLock(dir)?.purpose).toBe("someone else");
    rmSync(lockFilePath(dir));
  });
});
