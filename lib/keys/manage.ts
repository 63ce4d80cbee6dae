import { PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import type { Prisma, PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { writeAudit } from "./audit";
import { type VaultDeps, vaultDeps } from "./deps";
import { type KeyDto, PUBLIC_KEY_COLUMNS, type PublicKeyRow, toKeyDto } from "./dto";
import { checkEndpointName, endpointName, endpointOf, groupEndpoints } from "./endpoints";
import { lockUserEndpoints } from "./lock";
import {
  KEY_ORDER,
  type KeyTarget,
  noKeyFor,
  parseKeySegment,
  representative,
  targetWhere,
  toTarget,
} from "./order";
import type { RequestContext } from "./schemas";

type Tx = Prisma.TransactionClient | PrismaClient;

/**
 * Every stored key, providers in registry order and each provider's keys in the order they are
 * tried, plus one "not_set" entry for each provider without a key (what the one-key API listed).
 */
export async function listKeys(userId: string, deps: VaultDeps = vaultDeps()): Promise<KeyDto[]> {
  const rows: PublicKeyRow[] = await deps.db.providerKey.findMany({
    where: { userId },
    select: PUBLIC_KEY_COLUMNS,
    orderBy: [...KEY_ORDER],
  });
  return PROVIDER_IDS.flatMap((p) => {
    const mine = rows.filter((r) => r.provider === p);
    const system = !!deps.systemKey(p);
    if (mine.length === 0) return [toKeyDto(p, null, system)];
    const providerState = representative(mine);
    return mine.map((r, index) => toKeyDto(p, r, system, { providerState, index }));
  });
}

/** A provider id (its first key) or the id of one of the user's keys (404 for anyone else's). */
export function keyTarget(
  userId: string,
  segment: string,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<KeyTarget> {
  return parseKeySegment(segment, (id) =>
    deps.db.providerKey.findFirst({ where: { id, userId }, select: { provider: true } }),
  );
}

/** The provider's keys in order (the card's list), as DTOs. */
export async function providerKeys(
  userId: string,
  provider: ProviderId,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto[]> {
  return (await listKeys(userId, deps)).filter((k) => k.provider === provider && k.hasKey);
}

/** The provider's keys in order, as stored rows. */
export function orderedRows(tx: Tx, userId: string, provider: ProviderId) {
  return tx.providerKey.findMany({
    where: { userId, provider },
    select: PUBLIC_KEY_COLUMNS,
    orderBy: [...KEY_ORDER],
  });
}

/** One key's DTO, with the provider-wide source and its place computed from its siblings. */
export async function dtoFor(
  tx: Tx,
  userId: string,
  t: KeyTarget,
  systemKeyAvailable: boolean,
): Promise<KeyDto> {
  const rows = await orderedRows(tx, userId, t.provider);
  const index = t.id ? rows.findIndex((r) => r.id === t.id) : rows.length ? 0 : -1;
  const row = index >= 0 ? (rows[index] ?? null) : null;
  if (t.id && !row) throw noKeyFor(t);
  return toKeyDto(t.provider, row, systemKeyAvailable, {
    providerState: representative(rows),
    ...(row ? { index } : {}),
  });
}

/** The provider's first key (status "not_set" when none), or one key by id (404 when not the caller's). */
export async function getKey(
  userId: string,
  target: ProviderId | KeyTarget,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const t = toTarget(target);
  return dtoFor(deps.db, userId, t, !!deps.systemKey(t.provider));
}

async function findTarget(tx: Tx, userId: string, t: KeyTarget) {
  return tx.providerKey.findFirst({
    where: targetWhere(userId, t),
    orderBy: [...KEY_ORDER],
    select: { id: true, enabled: true, last4: true, label: true, position: true },
  });
}

/** Switching a key off keeps it stored; only the "which key" rule changes. */
export async function setKeyEnabled(
  userId: string,
  target: ProviderId | KeyTarget,
  enabled: boolean,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  return updateKey(userId, target, { enabled }, ctx, deps);
}

export type KeyUpdate = { enabled?: boolean; label?: string | null; move?: "up" | "down" };

/** Switch on/off, rename, or move one place earlier/later in the order the chat tries keys. */
export async function updateKey(
  userId: string,
  target: ProviderId | KeyTarget,
  change: KeyUpdate,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const t = toTarget(target);
  return deps.db.$transaction(async (tx) => {
    const current = await findTarget(tx, userId, t);
    if (!current) throw noKeyFor(t);
    const id = current.id;
    if (t.provider === "compatible" && change.label !== undefined) {
      await lockUserEndpoints(tx, userId);
      await checkEndpointRename(tx, userId, id, change.label);
    }
    const data: { enabled?: boolean; label?: string | null } = {};
    if (change.enabled !== undefined) data.enabled = change.enabled;
    if (change.label !== undefined) data.label = change.label;
    if (Object.keys(data).length > 0)
      await tx.providerKey.update({ where: { id, userId }, data, select: { id: true } });
    const base = { provider: t.provider, last4: current.last4 };
    if (change.enabled !== undefined && current.enabled !== change.enabled) {
      await writeAudit(
        tx,
        userId,
        { action: change.enabled ? "key.enabled" : "key.disabled", ...base, detail: { keyId: id } },
        ctx,
      );
    }
    if (change.label !== undefined && (current.label ?? null) !== change.label) {
      await writeAudit(tx, userId, { action: "key.renamed", ...base, detail: { keyId: id } }, ctx);
    }
    if (change.move) {
      const moved = await moveKey(tx, userId, t.provider, id, change.move);
      if (moved !== null)
        await writeAudit(
          tx,
          userId,
          { action: "key.reordered", ...base, detail: { keyId: id, position: moved + 1 } },
          ctx,
        );
    }
    return dtoFor(tx, userId, { provider: t.provider, id }, !!deps.systemKey(t.provider));
  });
}

/**
 * Renaming the first key of an OpenAI-compatible endpoint renames the endpoint: the new name
 * follows the endpoint rules (unique among the user's endpoints, no "/"). Other keys' names are free.
 */
async function checkEndpointRename(tx: Tx, userId: string, id: string, label: string | null) {
  const rows = await tx.providerKey.findMany({
    where: { userId, provider: "compatible" },
    orderBy: [...KEY_ORDER],
    select: { id: true, label: true, baseUrl: true },
  });
  const endpoints = groupEndpoints(rows);
  const mine = endpoints.find((e) => e.id === id);
  if (!mine) return;
  checkEndpointName(
    endpoints.filter((e) => e !== mine),
    endpointName({ label, baseUrl: mine.baseUrl }),
  );
}

/**
 * Renumbers the provider's keys 0..n-1 with `id` swapped with its neighbour; its new index, or
 * null. OpenAI-compatible keys are tried within their endpoint only, so the neighbour is the
 * nearest key of the same endpoint (base URL): keys of other endpoints in between stay put.
 */
async function moveKey(
  tx: Tx,
  userId: string,
  provider: ProviderId,
  id: string,
  dir: "up" | "down",
): Promise<number | null> {
  const rows = await orderedRows(tx, userId, provider);
  const from = rows.findIndex((r) => r.id === id);
  if (from < 0) return null;
  const url = rows[from]?.baseUrl;
  const step = dir === "up" ? -1 : 1;
  let to = from + step;
  while (provider === "compatible" && to >= 0 && to < rows.length && rows[to]?.baseUrl !== url) to += step;
  if (to < 0 || to >= rows.length) return null;
  const ids = rows.map((r) => r.id);
  [ids[from], ids[to]] = [ids[to] as string, ids[from] as string];
  for (const [position, rowId] of ids.entries()) {
    if (rows.find((r) => r.id === rowId)?.position !== position)
      await tx.$executeRaw`UPDATE "ProviderKey" SET "position" = ${position} WHERE "id" = ${rowId} AND "userId" = ${userId}`;
  }
  return to;
}

/**
 * Removes the provider's first key, or one key by id. Returns what the address now shows: for
 * a provider, its next key (now the first) or "not_set"; for an id, the removed key as "not_set".
 */
export async function removeKey(
  userId: string,
  target: ProviderId | KeyTarget,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const t = toTarget(target);
  const system = !!deps.systemKey(t.provider);
  return deps.db.$transaction(async (tx) => {
    const current = await findTarget(tx, userId, t);
    if (!current) throw noKeyFor(t);
    // deleteMany, not delete: a racing remove (double click, two tabs) may delete the row
    // between the read and here; then this request is the one that found nothing (404), and
    // only the request that deleted it writes the audit row.
    const { count } = await tx.providerKey.deleteMany({ where: { id: current.id, userId } });
    if (count === 0) throw noKeyFor(t);
    await writeAudit(
      tx,
      userId,
      { action: "key.removed", provider: t.provider, last4: current.last4, detail: { keyId: current.id } },
      ctx,
    );
    return t.id ? toKeyDto(t.provider, null, system) : dtoFor(tx, userId, { provider: t.provider }, system);
  });
}

/** The ids of the keys of the OpenAI-compatible endpoint `keyId` belongs to (404 when not the caller's). */
export async function endpointKeyIds(
  userId: string,
  keyId: string,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<string[]> {
  const rows = await deps.db.providerKey.findMany({
    where: { userId, provider: "compatible" },
    orderBy: [...KEY_ORDER],
    select: { id: true, label: true, baseUrl: true },
  });
  const endpoint = endpointOf(rows, keyId);
  if (!endpoint) throw new AppError("NOT_FOUND", "No such endpoint.");
  return endpoint.rows.map((r) => r.id);
}

/** Removes an OpenAI-compatible endpoint: every key of it (each audited as a removed key). */
export async function removeEndpoint(
  userId: string,
  keyId: string,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<void> {
  for (const id of await endpointKeyIds(userId, keyId, deps))
    await removeKey(userId, { provider: "compatible", id }, ctx, deps).catch((e: unknown) => {
      if (!(e instanceof AppError && e.code === "NOT_FOUND")) throw e; // removed meanwhile
    });
}

/** Switches every key of an OpenAI-compatible endpoint on or off (they stay stored). */
export async function setEndpointEnabled(
  userId: string,
  keyId: string,
  enabled: boolean,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<void> {
  for (const id of await endpointKeyIds(userId, keyId, deps))
    await updateKey(userId, { provider: "compatible", id }, { enabled }, ctx, deps);
}
