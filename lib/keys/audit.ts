import type { Prisma, PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { type VaultDeps, vaultDeps } from "./deps";
import { cleanContext, type RequestContext } from "./schemas";

// The user's own record of what happened to their keys. Rows are only inserted, inside the
// same transaction as the change they describe, so the log cannot claim a change that rolled back.

export type AuditAction =
  | "key.added"
  | "key.replaced"
  | "key.tested"
  | "key.enabled"
  | "key.disabled"
  | "key.removed"
  | "key.renamed"
  | "key.reordered"
  | "key.failover"
  | "key.needs_reentry"
  | "limits.changed";

export type AuditDetail = Record<string, string | number | boolean | null>;

export async function writeAudit(
  tx: Prisma.TransactionClient | PrismaClient,
  userId: string,
  event: { action: AuditAction; provider: string; last4?: string | null; detail?: AuditDetail },
  ctx?: RequestContext,
): Promise<void> {
  const { ip, userAgent } = cleanContext(ctx);
  await tx.auditEvent.create({
    data: {
      userId,
      action: event.action,
      provider: event.provider,
      last4: event.last4 || null,
      ip,
      userAgent,
      ...(event.detail ? { detail: event.detail } : {}),
    },
  });
}

export type AuditEventDto = {
  id: string;
  action: string;
  provider: string | null;
  last4: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: AuditDetail | null;
  createdAt: string;
};

export type AuditPage = { items: AuditEventDto[]; nextCursor: string | null };

// The cursor is (createdAt, id) of the last row seen, not a row id handed to Prisma's `cursor`,
// so a forged cursor can only move the window within the caller's own rows.
function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[\w-]{1,64}$/.test(id)) {
    throw new AppError("VALIDATION_FAILED", "The cursor is not valid.");
  }
  return { createdAt, id };
}

export async function listAudit(
  userId: string,
  opts: { limit?: number; cursor?: string } = {},
  { db: client }: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 20), 1), 100);
  const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  const rows = await client.auditEvent.findMany({
    where: {
      userId,
      ...(after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      provider: r.provider,
      last4: r.last4,
      ip: r.ip,
      userAgent: r.userAgent,
      detail: (r.detail as AuditDetail | null) ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
