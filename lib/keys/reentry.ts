import type { ProviderId } from "@/lib/ai/registry";
import { writeAudit } from "./audit";
import type { VaultDeps } from "./deps";
import type { RequestContext } from "./schemas";

// A stored key that no longer decrypts (master key lost or rotated away, row tampered with) is
// a typed state the user can see and fix, recorded once, not an empty string or a fallback.

export async function markNeedsReentry(
  userId: string,
  provider: ProviderId,
  row: { id: string; version: number; last4: string; updatedAt: Date },
  why: string,
  ctx: RequestContext | undefined,
  deps: Pick<VaultDeps, "db">,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const { count } = await tx.providerKey.updateMany({
      where: { id: row.id, userId, version: row.version, status: { not: "NEEDS_REENTRY" } },
      data: { status: "NEEDS_REENTRY", updatedAt: row.updatedAt },
    });
    if (count > 0)
      await writeAudit(
        tx,
        userId,
        { action: "key.needs_reentry", provider, last4: row.last4, detail: { why } },
        ctx,
      );
  });
}
