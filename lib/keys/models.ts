import type { Failure } from "@/lib/ai/classify";
import { type ListedModel, listProviderModels } from "@/lib/ai/list-models";
import type { ProviderId } from "@/lib/ai/registry";
import { decryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { consume, humanizeSeconds, limiter } from "@/lib/limits";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import { groupEndpoints } from "./endpoints";
import { storedApiKey } from "./keyless";
import { chatCandidates, KEY_ORDER, type KeyTarget, noKeyFor, targetWhere, toTarget } from "./order";

// The models each stored key may use, as its provider listed them, cached on the key's row.
// Refreshed when the key is saved, when it is tested, and when the user asks; a list older than
// a day is stale (shown, and refreshed on the next chance). A model the provider stops listing
// stays in the cache marked `goneAt`: a chat on it says so instead of moving to another model.

export type CachedModel = { id: string; label?: string; goneAt?: string };
export type ModelCache = { models: CachedModel[]; fetchedAt: string | null; stale: boolean };

export const MODEL_CACHE_TTL_MS = 24 * 3600_000;
/** A save waits this long for the list at most: a hanging server must not hold the form. */
const QUIET_TIMEOUT_MS = 5_000;
const REFRESH_LIMIT = { points: 30, durationSec: 60 };

export function parseCache(raw: unknown): CachedModel[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((m) =>
    m && typeof m === "object" && typeof (m as CachedModel).id === "string"
      ? [
          {
            id: (m as CachedModel).id,
            ...(typeof (m as CachedModel).label === "string" ? { label: (m as CachedModel).label } : {}),
            ...(typeof (m as CachedModel).goneAt === "string" ? { goneAt: (m as CachedModel).goneAt } : {}),
          },
        ]
      : [],
  );
}

/** The new list, plus the previously listed models it lacks, marked gone (since when first missed). */
export function mergeModels(previous: CachedModel[], listed: ListedModel[], now: Date): CachedModel[] {
  const current = new Set(listed.map((m) => m.id));
  const gone = previous
    .filter((m) => !current.has(m.id))
    .map((m) => ({ ...m, goneAt: m.goneAt ?? now.toISOString() }));
  return [...listed.map((m) => ({ id: m.id, ...(m.label ? { label: m.label } : {}) })), ...gone];
}

export function toCache(raw: unknown, fetchedAt: Date | null, now = new Date()): ModelCache {
  return {
    models: parseCache(raw),
    fetchedAt: fetchedAt?.toISOString() ?? null,
    stale: !fetchedAt || now.getTime() - fetchedAt.getTime() > MODEL_CACHE_TTL_MS,
  };
}

export type RefreshResult = { ok: true; cache: ModelCache } | { ok: false; failure: Failure["kind"] };

/**
 * Lists the stored key's models at its provider and caches them on the row. The key goes only
 * to its stored base URL (re-checked against the SSRF rules); a failure leaves the cache as it was.
 */
export async function refreshKeyModels(
  userId: string,
  target: ProviderId | KeyTarget,
  deps: VaultDeps = vaultDeps(),
  opts: { throttle?: boolean; now?: Date; signal?: AbortSignal } = {},
): Promise<RefreshResult> {
  const t = toTarget(target);
  const provider = t.provider;
  const row = await deps.db.providerKey.findFirst({
    where: targetWhere(userId, t),
    orderBy: [...KEY_ORDER],
    select: { id: true, ciphertext: true, baseUrl: true, version: true, models: true },
  });
  if (!row) throw noKeyFor(t);
  if (opts.throttle !== false) {
    limiter("model-list", REFRESH_LIMIT);
    const r = await consume("model-list", userId);
    if (!r.ok) {
      throw new AppError(
        "RATE_LIMITED",
        `Too many refreshes. Try again in ${humanizeSeconds(r.retryAfterSec)}.`,
        {
          retryAfter: r.retryAfterSec,
        },
      );
    }
  }
  const decrypted = await decryptSecret({ ciphertext: row.ciphertext, userId, provider }, deps.keyring);
  if (!decrypted.ok) throw new AppError("KEY_NEEDS_REENTRY");
  const baseUrl = row.baseUrl
    ? await checkBaseUrl(row.baseUrl, { allowPrivate: deps.allowPrivateBaseUrls, lookup: deps.lookup })
    : undefined;
  const listed = await listProviderModels({
    provider,
    apiKey: storedApiKey(decrypted.plaintext),
    ...(baseUrl ? { baseUrl } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!listed.ok) return { ok: false, failure: listed.failure.kind };
  const now = opts.now ?? new Date();
  const models = mergeModels(parseCache(row.models), listed.models, now);
  // Compare-and-set on version: a list fetched with a key replaced meanwhile is the old key's.
  // updatedAt is kept: a refreshed list is not a change to the key.
  await deps.db.$executeRaw`
    UPDATE "ProviderKey" SET "models" = ${JSON.stringify(models)}::jsonb, "modelsFetchedAt" = ${now}
    WHERE "id" = ${row.id} AND "userId" = ${userId} AND "version" = ${row.version}`;
  return { ok: true, cache: toCache(models, now, now) };
}

/** Best effort (after a save or a test): never fails the action that triggered it. */
export async function refreshQuietly(
  userId: string,
  target: ProviderId | KeyTarget,
  deps?: VaultDeps,
  timeoutMs = QUIET_TIMEOUT_MS,
): Promise<void> {
  try {
    await refreshKeyModels(userId, target, deps, {
      throttle: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    // The key's own status says what is wrong with it; the list waits for the next refresh.
  }
}

/**
 * Every provider's cached list (no decryption, no network): with several keys, what any of them
 * lists (first key's order first; a model one key lists is not gone because another lost it),
 * stale when the oldest list is.
 */
export async function cachedModels(
  userId: string,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
  now = new Date(),
): Promise<Partial<Record<ProviderId, ModelCache>>> {
  const rows = await deps.db.providerKey.findMany({
    where: { userId },
    select: {
      id: true,
      provider: true,
      models: true,
      modelsFetchedAt: true,
      baseUrl: true,
      enabled: true,
      status: true,
    },
    orderBy: [...KEY_ORDER],
  });
  const out: Partial<Record<ProviderId, ModelCache>> = {};
  // A chat on `compatible` runs on the first endpoint's keys (order.chatCandidates): only its
  // models are offered, never one another server listed.
  const compatible = rows.filter((r) => r.provider === "compatible");
  const firstEndpoint = (chatCandidates("compatible", compatible)[0] ?? compatible[0])?.baseUrl ?? null;
  for (const r of rows) {
    if (!r.modelsFetchedAt) continue;
    if (r.provider === "compatible" && (r.baseUrl ?? null) !== firstEndpoint) continue;
    const cache = toCache(r.models, r.modelsFetchedAt, now);
    const prev = out[r.provider as ProviderId];
    if (!prev) {
      out[r.provider as ProviderId] = cache;
      continue;
    }
    const byId = new Map(prev.models.map((m) => [m.id, m]));
    for (const m of cache.models) {
      const seen = byId.get(m.id);
      if (!seen) byId.set(m.id, m);
      else if (seen.goneAt && !m.goneAt) byId.set(m.id, m);
    }
    out[r.provider as ProviderId] = {
      models: [...byId.values()],
      fetchedAt:
        prev.fetchedAt && cache.fetchedAt && cache.fetchedAt < prev.fetchedAt
          ? cache.fetchedAt
          : prev.fetchedAt,
      stale: prev.stale || cache.stale,
    };
  }
  return out;
}

/** Stale lists (older than a day) of this user's keys, refreshed one after the other. */
export async function refreshStaleModels(userId: string, deps: VaultDeps = vaultDeps()): Promise<void> {
  const cutoff = new Date(Date.now() - MODEL_CACHE_TTL_MS);
  const rows = await deps.db.providerKey.findMany({
    where: { userId, enabled: true, modelsFetchedAt: { lt: cutoff } },
    select: { provider: true, id: true },
  });
  for (const r of rows) await refreshQuietly(userId, { provider: r.provider as ProviderId, id: r.id }, deps);
}

/**
 * True when `modelId` is in the cached list of the user's key for `provider` and not gone.
 * `keyIds`: only these keys' lists count (an OpenAI-compatible endpoint's keys).
 */
export async function isListedModel(
  userId: string,
  provider: ProviderId,
  modelId: string,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
  keyIds?: readonly string[],
): Promise<boolean> {
  if (keyIds) {
    const rows = await deps.db.providerKey.findMany({
      where: { userId, provider, id: { in: [...keyIds] } },
      select: { models: true },
    });
    return rows.some((r) => parseCache(r.models).some((m) => m.id === modelId && !m.goneAt));
  }
  const rows = await deps.db.$queryRaw<{ listed: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM "ProviderKey" k, jsonb_array_elements(COALESCE(k."models", '[]'::jsonb)) m
      WHERE k."userId" = ${userId} AND k."provider" = ${provider}
        AND m->>'id' = ${modelId} AND (m->>'goneAt') IS NULL
    ) AS "listed"`;
  return rows[0]?.listed === true;
}

/** The stored key's cached list (NOT_FOUND without a key; an empty list before the first fetch). */
export async function getKeyModels(
  userId: string,
  target: ProviderId | KeyTarget,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<ModelCache> {
  const t = toTarget(target);
  const row = await deps.db.providerKey.findFirst({
    where: targetWhere(userId, t),
    orderBy: [...KEY_ORDER],
    select: { models: true, modelsFetchedAt: true },
  });
  if (!row) throw noKeyFor(t);
  return toCache(row.models, row.modelsFetchedAt);
}

/**
 * The user's OpenAI-compatible endpoints a chat may run on (a key enabled and not invalid), in
 * order, each with its keys' cached lists merged like cachedModels (no decryption, no network).
 */
export async function endpointModels(
  userId: string,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
  now = new Date(),
): Promise<{ id: string; name: string; keyIds: string[]; cache: ModelCache | null }[]> {
  const rows = await deps.db.providerKey.findMany({
    where: { userId, provider: "compatible" },
    select: {
      id: true,
      label: true,
      baseUrl: true,
      enabled: true,
      status: true,
      models: true,
      modelsFetchedAt: true,
    },
    orderBy: [...KEY_ORDER],
  });
  return groupEndpoints(rows).flatMap((e) => {
    if (chatCandidates("compatible", e.rows).length === 0) return [];
    const ids = new Set<string>();
    const models: CachedModel[] = [];
    let fetchedAt: Date | null = null;
    let stale = false;
    for (const r of e.rows) {
      if (!r.modelsFetchedAt) continue;
      const c = toCache(r.models, r.modelsFetchedAt, now);
      stale ||= c.stale;
      if (!fetchedAt || r.modelsFetchedAt < fetchedAt) fetchedAt = r.modelsFetchedAt;
      for (const m of c.models) {
        if (ids.has(m.id)) continue;
        ids.add(m.id);
        models.push(m);
      }
    }
    return [
      {
        id: e.id,
        name: e.name,
        keyIds: e.rows.map((r) => r.id),
        cache: fetchedAt ? { models, fetchedAt: fetchedAt.toISOString(), stale } : null,
      },
    ];
  });
}
