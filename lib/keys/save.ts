import { checkKeyFormat, getProvider, type ProviderId } from "@/lib/ai/registry";
import { encryptSecret } from "@/lib/crypto";
import { Prisma } from "@/lib/db/generated/client";
import { invalidField } from "@/lib/errors";
import { writeAudit } from "./audit";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import type { KeyDto } from "./dto";
import { checkEndpointSave } from "./endpoints";
import { KEYLESS_MARKER } from "./keyless";
import { lockUserEndpoints } from "./lock";
import { dtoFor } from "./manage";
import { maskKey } from "./mask";
import { refreshQuietly } from "./models";
import { KEY_ORDER, type KeyTarget, noKeyFor, targetWhere, toTarget } from "./order";
import type { RequestContext, SaveKeyInput } from "./schemas";

// Add or replace a user's key for one provider. The plaintext is encrypted before the
// transaction starts (keeps it short on single-session PGlite) and never leaves this function.

/** Validates the key's shape and, for `compatible`, the base URL; returns the normalised base URL. */
export async function checkKeyInput(
  provider: ProviderId,
  input: { apiKey?: string; baseUrl?: string; label?: string },
  deps: Pick<VaultDeps, "allowPrivateBaseUrls" | "lookup">,
): Promise<string | null> {
  // Only an OpenAI-compatible endpoint may have no key (a local server that takes none).
  if (input.apiKey === undefined) {
    if (!getProvider(provider).requiresBaseUrl) throw invalidField("apiKey", "Enter an API key.");
  } else {
    const formatProblem = checkKeyFormat(provider, input.apiKey);
    if (formatProblem) throw invalidField("apiKey", formatProblem);
  }
  if (!getProvider(provider).requiresBaseUrl) {
    if (input.baseUrl !== undefined)
      throw invalidField("baseUrl", "Only OpenAI-compatible keys take a base URL.");
    return null;
  }
  if (input.baseUrl === undefined)
    throw invalidField("baseUrl", "Enter the base URL of the OpenAI-compatible API.");
  return checkBaseUrl(input.baseUrl, { allowPrivate: deps.allowPrivateBaseUrls, lookup: deps.lookup });
}

/**
 * `input` has passed saveKeySchema at the boundary; the rules that need the provider run here.
 * `target`: a provider replaces its first key (adds one when it has none), an id replaces that
 * key; `mode: "add"` always adds another key, after the provider's others.
 */
export async function saveKey(
  userId: string,
  target: ProviderId | KeyTarget,
  input: SaveKeyInput,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
  mode: "replace" | "add" = "replace",
): Promise<KeyDto> {
  const t = toTarget(target);
  const provider = t.provider;
  // A replaced key stays on its endpoint's base URL unless another one is sent (like Test).
  let baseUrlInput = input.baseUrl;
  if (baseUrlInput === undefined && mode === "replace" && getProvider(provider).requiresBaseUrl) {
    const stored = await deps.db.providerKey.findFirst({
      where: targetWhere(userId, t),
      orderBy: [...KEY_ORDER],
      select: { baseUrl: true },
    });
    baseUrlInput = stored?.baseUrl ?? undefined;
  }
  const baseUrl = await checkKeyInput(provider, { ...input, baseUrl: baseUrlInput }, deps);
  // A keyless endpoint stores the keyless marker, encrypted like a key (see keyless.ts). The AAD
  // stays (userId, provider): every key of a provider is bound to the same context.
  const apiKey = input.apiKey;
  const { prefix, last4 } = apiKey ? maskKey(apiKey, provider) : { prefix: "", last4: "" };
  const { ciphertext, kid } = await encryptSecret(
    { plaintext: apiKey ?? KEYLESS_MARKER, userId, provider },
    deps.keyring,
  );

  const saved = await deps.db.$transaction(async (tx) => {
    if (baseUrl) await lockUserEndpoints(tx, userId);
    const existing =
      mode === "add"
        ? null
        : await tx.providerKey.findFirst({
            where: targetWhere(userId, t),
            orderBy: [...KEY_ORDER],
            select: { id: true, label: true, baseUrl: true },
          });
    if (!existing && t.id) throw noKeyFor(t);
    if (baseUrl) {
      // Several named endpoints (endpoints.ts): a new base URL is a new endpoint, named uniquely.
      const siblings = await tx.providerKey.findMany({
        where: { userId, provider, ...(existing ? { id: { not: existing.id } } : {}) },
        orderBy: [...KEY_ORDER],
        select: { id: true, label: true, baseUrl: true },
      });
      checkEndpointSave(siblings, {
        baseUrl,
        label: input.label,
        adding: !existing,
        ...(existing ? { replacing: existing.baseUrl } : {}),
      });
    }
    const material = {
      ciphertext,
      kid,
      prefix,
      last4,
      keyless: apiKey === undefined,
      baseUrl,
      // A compatible endpoint is saved with its name each time; another key keeps its name.
      label: input.label ?? (baseUrl ? null : (existing?.label ?? null)),
    };
    // A replaced key is a new key: its test results and usage belong to the old one.
    const fresh = {
      status: "UNTESTED" as const,
      lastTestedAt: null,
      lastTestMs: null,
      lastUsedAt: null,
      models: Prisma.DbNull,
      modelsFetchedAt: null,
    };
    let row: { id: string; version: number };
    if (existing) {
      row = await tx.providerKey.update({
        where: { id: existing.id, userId },
        data: {
          ...material,
          ...fresh,
          version: { increment: 1 },
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        },
        select: { id: true, version: true },
      });
    } else {
      const last = await tx.providerKey.findFirst({
        where: { userId, provider },
        orderBy: { position: "desc" },
        select: { position: true },
      });
      row = await tx.providerKey.create({
        data: {
          userId,
          provider,
          ...material,
          ...fresh,
          position: last ? last.position + 1 : 0,
          enabled: input.enabled ?? true,
        },
        select: { id: true, version: true },
      });
    }
    await writeAudit(
      tx,
      userId,
      {
        action: existing ? "key.replaced" : "key.added",
        provider,
        last4,
        detail: {
          keyId: row.id,
          version: row.version,
          ...(baseUrl ? { host: new URL(baseUrl).host } : {}),
          ...(apiKey ? {} : { keyless: true }),
        },
      },
      ctx,
    );
    return row;
  });
  const savedKey = { provider, id: saved.id };
  // The picker offers what the new key may use; the old key's list went with the old key.
  await refreshQuietly(userId, savedKey, deps);
  return dtoFor(deps.db, userId, savedKey, !!deps.systemKey(provider));
}

/** Adds another key for the provider, tried after the ones already saved. */
export function addKey(
  userId: string,
  provider: ProviderId,
  input: SaveKeyInput,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  return saveKey(userId, provider, input, ctx, deps, "add");
}
