import { PROVIDER_IDS } from "@/lib/ai";
import { writeAudit } from "./audit";
import type { VaultDeps } from "./deps";
import { type KeyDto, noKey, PUBLIC_KEY_COLUMNS, type PublicKeyRow, parseProvider, toKeyDto } from "./dto";
import { parseInput, type RequestContext, toggleKeySchema } from "./schemas";

/** One DTO per provider, in registry order, whether or not a key is stored. */
export async function listKeys(deps: VaultDeps, userId: string): Promise<KeyDto[]> {
  const rows: PublicKeyRow[] = await deps.db.providerKey.findMany({
    where: { userId },
    select: PUBLIC_KEY_COLUMNS,
  });
  const byProvider = new Map(rows.map((r) => [r.provider, r]));
  return PROVIDER_IDS.map((p) => toKeyDto(p, byProvider.get(p) ?? null, !!deps.systemKey(p)));
}

export async function getKey(deps: VaultDeps, userId: string, providerParam: string): Promise<KeyDto> {
  const provider = parseProvider(providerParam);
  const row = await deps.db.providerKey.findUnique({
    where: { userId_provider: { userId, provider } },
    select: PUBLIC_KEY_COLUMNS,
  });
  return toKeyDto(provider, row, !!deps.systemKey(provider));
}

/** Switching a key off keeps it stored; only the "which key" rule changes. */
export async function setKeyEnabled(
  deps: VaultDeps,
  userId: string,
  providerParam: string,
  body: unknown,
  ctx?: RequestContext,
): Promise<KeyDto> {
  const provider = parseProvider(providerParam);
  const { enabled } = parseInput(toggleKeySchema, body);
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
  deps: VaultDeps,
  userId: string,
  providerParam: string,
  ctx?: RequestContext,
): Promise<KeyDto> {
  const provider = parseProvider(providerParam);
  await deps.db.$transaction(async (tx) => {
    const where = { userId_provider: { userId, provider } };
    const current = await tx.providerKey.findUnique({ where, select: { last4: true } });
    if (!current) throw noKey(provider);
    await tx.providerKey.delete({ where });
    await writeAudit(tx, userId, { action: "key.removed", provider, last4: current.last4 }, ctx);
  });
  return toKeyDto(provider, null, !!deps.systemKey(provider));
}
