import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDbClient, type DbHandle, type PrismaClient } from "@/lib/db";
import { migrate } from "@/test/harness";
import { seeded } from "@/test/seeded";
import { toBase64 } from "./base64";
import { decryptSecret, encryptSecret } from "./envelope";
import { parseKeyring } from "./keyring";
import { rotateKeys } from "./rotate";
import { formatRotationReport } from "./rotate-report";

// Real database (a fresh embedded PGlite directory, migrated like the app's), real crypto.

const rnd = seeded(2026);
const [m1, m2, m3] = [toBase64(rnd.bytes(32)), toBase64(rnd.bytes(32)), toBase64(rnd.bytes(32))];
const before = parseKeyring(`old1:${m1},old2:${m2}`); // app instances before the rotation
const after = parseKeyring(`new:${m3},old1:${m1},old2:${m2}`); // new key in front: active
const PROVIDERS = ["openai", "groq", "google"] as const;

let dataDir: string;
let handle: DbHandle;
let prisma: PrismaClient;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "byok-rotate-"));
  await migrate({ dataDir, log: () => {} });
  handle = createDbClient({ dataDir, purpose: "rotate.test" });
  prisma = handle.prisma;
});

afterAll(async () => {
  await handle?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await prisma.auditEvent.deleteMany();
  await prisma.providerKey.deleteMany();
  await prisma.user.deleteMany();
});

/** `count` keys spread over users × providers, alternately under old1 and old2. */
async function seed(count: number) {
  const expected = new Map<string, string>();
  const users = Math.ceil(count / PROVIDERS.length);
  await prisma.user.createMany({
    data: Array.from({ length: users }, (_, u) => ({
      id: `user${String(u).padStart(4, "0")}`,
      email: `u${u}@test.local`,
    })),
  });
  const rows = [];
  for (let i = 0; i < count; i++) {
    const userId = `user${String(Math.floor(i / PROVIDERS.length)).padStart(4, "0")}`;
    const provider = PROVIDERS[i % PROVIDERS.length] as string;
    const plaintext = `sk-test-${i}-${rnd.string(24, 24, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
    const keyring = i % 2 === 0 ? before : parseKeyring(`old2:${m2}`);
    const { ciphertext, kid } = await encryptSecret({ plaintext, userId, provider }, keyring);
    const id = `key${String(i).padStart(5, "0")}`;
    rows.push({ id, userId, provider, ciphertext, kid, prefix: "sk-", last4: plaintext.slice(-4) });
    expected.set(id, plaintext);
  }
  await prisma.providerKey.createMany({ data: rows });
  return expected;
}

async function snapshot() {
  const rows = await prisma.providerKey.findMany({ orderBy: { id: "asc" } });
  return rows.map((r) => ({ id: r.id, ciphertext: r.ciphertext, kid: r.kid, version: r.version }));
}

async function expectAllDecrypt(expected: Map<string, string>, kid = "new") {
  const rows = await prisma.providerKey.findMany();
  expect(rows).toHaveLength(expected.size);
  for (const r of rows) {
    expect(r.kid, r.id).toBe(kid);
    expect(r.ciphertext.startsWith(`v1.${kid}.`)).toBe(true);
    const opened = await decryptSecret(
      { ciphertext: r.ciphertext, userId: r.userId, provider: r.provider },
      after,
    );
    expect(opened, r.id).toEqual({ ok: true, plaintext: expected.get(r.id) });
  }
}

/** A user's save as the key vault does it: new ciphertext, version bumped. */
async function userSaves(id: string, plaintext: string, keyring = before, bumpVersion = true) {
  const row = await prisma.providerKey.findUniqueOrThrow({ where: { id } });
  const { ciphertext, kid } = await encryptSecret(
    { plaintext, userId: row.userId, provider: row.provider },
    keyring,
  );
  await prisma.providerKey.update({
    where: { id },
    data: {
      ciphertext,
      kid,
      last4: plaintext.slice(-4),
      ...(bumpVersion ? { version: { increment: 1 } } : {}),
    },
  });
}

describe("rotateKeys", () => {
  it("rotates 250 rows over two old kids, survives a crash, and a re-run changes nothing", async () => {
    const expected = await seed(250);
    let batches = 0;
    const crash = rotateKeys(prisma, {
      keyring: after,
      batchSize: 100,
      onProgress: () => {
        batches++;
        throw new Error("simulated crash after the first batch");
      },
    });
    await expect(crash).rejects.toThrow("simulated crash");
    expect(batches).toBe(1);
    expect(await prisma.providerKey.count({ where: { kid: "new" } })).toBe(100);
    expect(await prisma.auditEvent.count({ where: { action: "key.rotated" } })).toBe(100);

    const progress: number[] = [];
    const resumed = await rotateKeys(prisma, {
      keyring: after,
      batchSize: 100,
      onProgress: (s) => void progress.push(s.rotated),
    });
    expect(resumed).toEqual({
      scanned: 150,
      rotated: 150,
      alreadyCurrent: 100,
      retried: 0,
      failed: [],
      byKid: resumed.byKid,
    });
    expect(resumed.byKid).toEqual({ old1: 75, old2: 75 });
    expect(progress).toEqual([100, 150]);
    await expectAllDecrypt(expected);
    expect(await prisma.auditEvent.count({ where: { action: "key.rotated" } })).toBe(250);
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { action: "key.rotated" } });
    expect(audit.last4).toMatch(/^[A-Za-z0-9]{4}$/);
    expect(JSON.stringify(audit)).not.toContain("sk-test-");

    const settled = await snapshot();
    const again = await rotateKeys(prisma, { keyring: after, batchSize: 100 });
    expect(again).toEqual({ scanned: 0, rotated: 0, alreadyCurrent: 250, retried: 0, failed: [], byKid: {} });
    expect(await snapshot()).toEqual(settled);
    expect(await prisma.auditEvent.count()).toBe(250);
    expect(formatRotationReport(resumed, "new")).toContain("old1 → new: 75 rotated, 0 failed");
  });

  it("never loses a concurrent user edit and never touches undecryptable rows", async () => {
    const expected = await seed(30);
    // Rows that cannot be decrypted: wrong user binding, unknown kid, garbage.
    const broken = ["key00003", "key00004", "key00005"];
    const k7 = await prisma.providerKey.findUniqueOrThrow({ where: { id: "key00007" } });
    await prisma.providerKey.update({
      where: { id: "key00003" },
      data: { ciphertext: k7.ciphertext, kid: k7.kid },
    });
    const unknown = await encryptSecret(
      { plaintext: "sk-lost", userId: "user0001", provider: "groq" },
      parseKeyring(`gone:${toBase64(rnd.bytes(32))}`),
    );
    await prisma.providerKey.update({
      where: { id: "key00004" },
      data: { ciphertext: unknown.ciphertext, kid: "gone" },
    });
    await prisma.providerKey.update({
      where: { id: "key00005" },
      data: { ciphertext: "v1.old1.garbage", kid: "old1" },
    });
    const brokenBefore = await prisma.providerKey.findMany({
      where: { id: { in: broken } },
      orderBy: { id: "asc" },
    });

    const edit =
      (id: string, value: string, keyring = before, bumpVersion = true) =>
      async () => {
        expected.set(id, value);
        await userSaves(id, value, keyring, bumpVersion);
      };
    const edits: Record<string, () => Promise<void>> = {
      // a stale app instance saves under an old kid: the rotation must re-read and rotate the new value
      key00010: edit("key00010", "sk-edit-stale-instance-0010"),
      // a save that changes the ciphertext but (buggily) not the version is still detected
      key00011: edit("key00011", "sk-edit-no-version-bump-11", before, false),
      // an updated app instance saves under the active kid: nothing left to rotate
      key00012: edit("key00012", "sk-edit-new-instance-0012", after),
      // deleted by its owner mid-rotation
      key00013: async () => {
        await prisma.providerKey.delete({ where: { id: "key00013" } });
        expected.delete("key00013");
      },
    };
    let hammer = 0;
    const stats = await rotateKeys(prisma, {
      keyring: after,
      batchSize: 7,
      maxRetries: 3,
      beforeWrite: async (row) => {
        const edit = edits[row.id];
        if (edit) {
          delete edits[row.id]; // once
          await edit();
        }
        if (row.id === "key00020") {
          // edited on every attempt: gives up as "contention", keeping the user's latest value
          hammer++;
          const value = `sk-edit-hammer-${hammer}-abcdefgh`;
          expected.set("key00020", value);
          await userSaves("key00020", value);
        }
      },
    });

    expect(Object.keys(edits)).toEqual([]);
    expect(stats.failed).toEqual([
      { id: "key00003", kid: k7.kid, reason: "auth_failed" },
      { id: "key00004", kid: "gone", reason: "unknown_kid" },
      { id: "key00005", kid: "old1", reason: "malformed" },
      { id: "key00020", kid: "old1", reason: "contention" },
    ]);
    expect(hammer).toBe(4);
    expect(stats.retried).toBe(4 + 3); // 10, 11, 12 (then current), 13 (then gone); 20 three times
    expect(stats.scanned).toBe(30);
    expect(stats.alreadyCurrent).toBe(1); // key00012
    expect(stats.rotated).toBe(30 - 3 - 1 - 1 - 1); // minus broken, contention, 12 (user did it), 13 (deleted)
    expect(Object.values(stats.byKid).reduce((a, b) => a + b, 0)).toBe(stats.rotated);

    // Broken rows: byte-for-byte untouched, not deleted.
    expect(
      await prisma.providerKey.findMany({ where: { id: { in: broken } }, orderBy: { id: "asc" } }),
    ).toEqual(brokenBefore);
    // Everything else decrypts to its latest value; the hammered row keeps the user's last save.
    for (const id of broken) expected.delete(id);
    const hammered = await prisma.providerKey.findUniqueOrThrow({ where: { id: "key00020" } });
    expect(hammered.kid).toBe("old1");
    expect(
      await decryptSecret(
        { ciphertext: hammered.ciphertext, userId: hammered.userId, provider: hammered.provider },
        after,
      ),
    ).toEqual({
      ok: true,
      plaintext: expected.get("key00020"),
    });
    expected.delete("key00020");
    const rest = await prisma.providerKey.findMany({ where: { id: { notIn: [...broken, "key00020"] } } });
    expect(rest.map((r) => r.id).sort()).toEqual([...expected.keys()].sort());
    for (const r of rest) {
      expect(r.kid).toBe("new");
      const opened = await decryptSecret(
        { ciphertext: r.ciphertext, userId: r.userId, provider: r.provider },
        after,
      );
      expect(opened, r.id).toEqual({ ok: true, plaintext: expected.get(r.id) });
    }

    // A calm re-run finishes the contended row and reports the broken ones again, changing nothing else.
    const again = await rotateKeys(prisma, { keyring: after });
    expect(again.rotated).toBe(1);
    expect(again.failed.map((f) => f.id)).toEqual(broken);
    const report = formatRotationReport(again, "new");
    expect(report).toContain("unknown_kid");
    expect(report).not.toContain("v1.");
  });

  it("rejects a nonsensical batch size", async () => {
    await expect(rotateKeys(prisma, { keyring: after, batchSize: 0 })).rejects.toThrow(RangeError);
  });
});
