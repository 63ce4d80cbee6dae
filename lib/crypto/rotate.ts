import type { PrismaClient } from "@/lib/db/generated/client";
import { decryptSecret, encryptSecret } from "./envelope";
import type { Keyring } from "./keyring";

// Re-encrypts every stored provider key that is not under the active master key.
// - Batches by id cursor, so memory stays flat and an interrupted run simply resumes.
// - Compare-and-set on (id, version, ciphertext): a user edit between our read and our write
//   wins; we re-read and rotate the user's new value instead of overwriting it.
// - A row that cannot be decrypted is reported and left exactly as it is, never deleted.
// Idempotent: a second run finds nothing to do.

type Db = Pick<PrismaClient, "providerKey" | "auditEvent" | "$transaction">;

export type RotationRow = {
  id: string;
  userId: string;
  provider: string;
  ciphertext: string;
  kid: string;
  version: number;
  last4: string;
};

export type RotationStats = {
  /** Rows read that were under a non-active kid. */
  scanned: number;
  /** Rows re-encrypted under the active kid by this run. */
  rotated: number;
  /** Rows under the active kid at the start, plus rows a concurrent edit moved there. */
  alreadyCurrent: number;
  /** Compare-and-set misses (a concurrent edit won) that were re-read and retried. */
  retried: number;
  failed: { id: string; kid: string; reason: string }[];
  /** Rows rotated by this run, per old kid. */
  byKid: Record<string, number>;
};

export type RotateOptions = {
  keyring: Keyring;
  batchSize?: number;
  /** Called after each batch; throwing stops the run (it can be re-run safely). */
  onProgress?: (stats: RotationStats) => void | Promise<void>;
  /** Write an AuditEvent `key.rotated` per row, in the same transaction. Default true. */
  audit?: boolean;
  /** CAS retries per row before it is reported as failed. Default 5. */
  maxRetries?: number;
  /** @internal Test seam: runs between a row's read and its compare-and-set. */
  beforeWrite?: (row: RotationRow) => Promise<void>;
};

const select = {
  id: true,
  userId: true,
  provider: true,
  ciphertext: true,
  kid: true,
  version: true,
  last4: true,
};

export async function rotateKeys(prisma: Db, options: RotateOptions): Promise<RotationStats> {
  const { keyring, batchSize = 100, onProgress, audit = true, maxRetries = 5, beforeWrite } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError("batchSize must be a positive integer");
  const active = keyring.activeKid;
  const stats: RotationStats = {
    scanned: 0,
    rotated: 0,
    alreadyCurrent: await prisma.providerKey.count({ where: { kid: active } }),
    retried: 0,
    failed: [],
    byKid: {},
  };

  // Rotated rows leave the `kid <> active` set; failed ones stay in it, so the id cursor (not
  // an offset) is what guarantees progress past them.
  let cursor: string | undefined;
  for (;;) {
    const batch = await prisma.providerKey.findMany({
      where: { kid: { not: active }, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: batchSize,
      select,
    });
    if (batch.length === 0) break;
    for (const row of batch) {
      stats.scanned++;
      await rotateRow(prisma, row, { keyring, audit, maxRetries, beforeWrite }, stats);
    }
    cursor = batch[batch.length - 1]?.id;
    await onProgress?.(structuredClone(stats));
    if (batch.length < batchSize) break;
  }
  return stats;
}

async function rotateRow(
  prisma: Db,
  first: RotationRow,
  opts: Required<Pick<RotateOptions, "keyring" | "audit" | "maxRetries">> &
    Pick<RotateOptions, "beforeWrite">,
  stats: RotationStats,
) {
  const { keyring, audit, maxRetries, beforeWrite } = opts;
  let row: RotationRow | null = first;
  for (let attempt = 0; ; attempt++) {
    if (!row) return; // deleted meanwhile: nothing left to protect
    if (row.kid === keyring.activeKid) {
      stats.alreadyCurrent++; // a concurrent save already wrote it under the active kid
      return;
    }
    const opened = await decryptSecret(
      { ciphertext: row.ciphertext, userId: row.userId, provider: row.provider },
      keyring,
    );
    if (!opened.ok) {
      stats.failed.push({ id: row.id, kid: row.kid, reason: opened.detail });
      return;
    }
    const sealed = await encryptSecret(
      { plaintext: opened.plaintext, userId: row.userId, provider: row.provider },
      keyring,
    );
    await beforeWrite?.(row);
    const current: RotationRow = row;
    const written = await prisma.$transaction(async (tx) => {
      const { count } = await tx.providerKey.updateMany({
        where: { id: current.id, version: current.version, ciphertext: current.ciphertext },
        data: { ciphertext: sealed.ciphertext, kid: sealed.kid, version: { increment: 1 } },
      });
      if (count === 1 && audit) {
        await tx.auditEvent.create({
          data: {
            userId: current.userId,
            action: "key.rotated",
            provider: current.provider,
            last4: current.last4,
            detail: { fromKid: current.kid, toKid: sealed.kid },
          },
        });
      }
      return count;
    });
    if (written === 1) {
      stats.rotated++;
      stats.byKid[current.kid] = (stats.byKid[current.kid] ?? 0) + 1;
      return;
    }
    if (attempt >= maxRetries) {
      stats.failed.push({ id: current.id, kid: current.kid, reason: "contention" });
      return;
    }
    stats.retried++;
    row = await prisma.providerKey.findUnique({ where: { id: current.id }, select });
  }
}
