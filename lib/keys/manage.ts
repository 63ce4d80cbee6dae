import { PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import { writeAudit } from "./audit";
import { type VaultDeps, vaultDeps } from "./deps";
import { type KeyDto, noKey, PUBLIC_KEY_COLUMNS, type PublicKeyRow, toKeyDto } from "./dto";
import type { RequestContext } from "./schemas";

/** One DTO per provider, in registry order, whether or not a key is stored. */
export async function listKeys(userId: string, deps: VaultDeps = vaultDeps()): Promise<KeyDto[]> {
  const rows: PublicKeyRow[] = await deps.db.providerKey.findMany({
    where: { userId },
    select: PUBLIC_KEY_COLUMNS,
  });
  const byProvider = new Map(rows.map((r) => [r.provider, r]));
  return PROVIDER_IDS.map((p) => toKeyDto(p, byProvider.get(p) ?? null, !!deps.systemKey(p)));
}

export async function getKey(
  userId: string,
  provider: ProviderId,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const row = await deps.db.providerKey.findUnique({
    where: { userId_provider: { userId, provider } },
    select: PUBLIC_KEY_COLUMNS,
  });
  return toKeyDto(provider, row, !!deps.systemKey(provider));
}

/** Switching a key off keeps it stored; only the "which key" rule changes. */
export async function setKeyEnabled(
  userId: string,
  provider: ProviderId,
  enabled: boolean,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const row = await deps.db.$transaction(async (tx) => {
    const where = { userId_provider: { userId, provider } };
    const current = await tx.providerKey.findUnique({ where, select: { enabled: true, last4: true } });
    if (!current) throw noKey(provider);
    const updated = await tx.providerKey.update({ where, data: { enabled }, select: PUBLIC_KEY_COLUMNS });
    if (current.enabled !== enabled) {
      await writeAudit(
        tx,
        userId,
        { action: enabled ? "key.enabled" : "key.disabled", provider, last4: current.last4 },
        ctx,
      );
    }
    return updated;
  });
  return toKeyDto(provider, row, !!deps.systemKey(provider));
}

export async function removeKey(
  userId: string,
  provider: ProviderId,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  await deps.db.$transaction(async (tx) => {
    const where = { userId_provider: { userId, provider } };
    const current = await tx.providerKey.findUnique({ where, select: { last4: true } });
    if (!current) throw noKey(provider);
    // deleteMany, not delete: a racing remove (double click, two tabs) may delete the row
    // between the read and here; then this request is the one that found nothing (404), and
    // only the request that deleted it writes the audit row.
    const { count } = await tx.providerKey.deleteMany({ where: { userId, provider } });
    if (count === 0) throw noKey(provider);
    await writeAudit(tx, userId, { action: "key.removed", provider, last4: current.last4 }, ctx);
  });
  return toKeyDto(provider, null, !!deps.systemKey(provider));
}
