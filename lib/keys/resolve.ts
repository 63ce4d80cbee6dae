import { getProvider, PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import { decryptSecret } from "@/lib/crypto";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { checkSystemKeyPolicy } from "@/lib/operator/policy";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import { storedApiKey } from "./keyless";
import { decideSource, type KeySource } from "./policy";
import { markNeedsReentry } from "./reentry";

// The chat path's view of the vault: which key a request runs on, as plaintext for exactly one
// upstream call, plus the bookkeeping that follows the call.

export type ResolvedKey = {
  source: KeySource;
  apiKey: string;
  /** `compatible` only, already re-checked against the SSRF rules. */
  baseUrl?: string;
  /** The personal key's version, for markKeyInvalid/touchKeyUsed compare-and-set. */
  keyVersion?: number;
};

function requiredMessage(provider: ProviderId, disabled: boolean): string {
  const label = getProvider(provider).label;
  return disabled
    ? `Your ${label} key is switched off. Turn on "Use my personal key" in AI settings, or choose another provider.`
    : `Add your ${label} API key in AI settings to chat with ${label}.`;
}

/** What resolving a key reads of its row: the chat path may fetch it batched with its own lookups. */
export type KeyRow = {
  id: string;
  enabled: boolean;
  status: KeyStatus;
  ciphertext: string;
  baseUrl: string | null;
  version: number;
  last4: string;
  updatedAt: Date;
};

function loadKeyRow(userId: string, provider: ProviderId, deps: Pick<VaultDeps, "db"> = vaultDeps()) {
  return deps.db.providerKey.findUnique({
    where: { userId_provider: { userId, provider } },
    select: {
      id: true,
      enabled: true,
      status: true,
      ciphertext: true,
      baseUrl: true,
      version: true,
      last4: true,
      updatedAt: true,
    },
  }) satisfies Promise<KeyRow | null>;
}

/**
 * The key this user's request to `provider` runs on. `preloaded` is the user's row as the
 * caller already read it (null: no row), saving the lookup; it must be this user's row.
 */
export async function resolveKey(
  userId: string,
  provider: ProviderId,
  preloaded?: { row: KeyRow | null },
  deps: VaultDeps = vaultDeps(),
): Promise<ResolvedKey> {
  const row = preloaded ? preloaded.row : await loadKeyRow(userId, provider, deps);
  const systemKey = deps.systemKey(provider);
  const decision = decideSource({ provider, stored: row, systemKeyConfigured: !!systemKey });

  if (decision.kind === "system" && systemKey) {
    await checkSystemKeyPolicy(userId, provider, deps); // the operator's allow-list and daily budget
    return { source: "system", apiKey: systemKey };
  }
  if (decision.kind === "error") {
    throw decision.code === "API_KEY_REQUIRED"
      ? new AppError("API_KEY_REQUIRED", requiredMessage(provider, !!row))
      : new AppError(decision.code);
  }
  if (!row) throw new AppError("API_KEY_REQUIRED", requiredMessage(provider, false));

  const decrypted = await decryptSecret({ ciphertext: row.ciphertext, userId, provider }, deps.keyring);
  if (!decrypted.ok) {
    await markNeedsReentry(userId, provider, row, decrypted.detail, undefined, deps);
    throw new AppError("KEY_NEEDS_REENTRY");
  }
  if (row.status === "NEEDS_REENTRY") {
    // It decrypts again (the operator restored the master key): back to a normal key.
    await deps.db.providerKey.updateMany({
      where: { id: row.id, userId, version: row.version, status: "NEEDS_REENTRY" },
      data: { status: "UNTESTED", updatedAt: row.updatedAt },
    });
  }
  const baseUrl = row.baseUrl
    ? await checkBaseUrl(row.baseUrl, { allowPrivate: deps.allowPrivateBaseUrls, lookup: deps.lookup })
    : undefined;
  return {
    source: "personal",
    apiKey: storedApiKey(decrypted.plaintext),
    keyVersion: row.version,
    ...(baseUrl ? { baseUrl } : {}),
  };
}

type VersionOpt = { keyVersion?: number };

/** The provider rejected the personal key during a chat: show it as invalid until re-tested or replaced. */
export async function markKeyInvalid(
  userId: string,
  provider: ProviderId,
  opts: VersionOpt = {},
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE "ProviderKey" SET "status" = 'INVALID'
    WHERE "userId" = ${userId} AND "provider" = ${provider}
      AND (${opts.keyVersion ?? null}::int IS NULL OR "version" = ${opts.keyVersion ?? null}::int)`;
}

/** Raw SQL on purpose: Prisma's @updatedAt would make every chat look like an edit of the key. */
export async function touchKeyUsed(
  userId: string,
  provider: ProviderId,
  opts: VersionOpt = {},
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE "ProviderKey" SET "lastUsedAt" = now()
    WHERE "userId" = ${userId} AND "provider" = ${provider}
      AND (${opts.keyVersion ?? null}::int IS NULL OR "version" = ${opts.keyVersion ?? null}::int)`;
}

export type UsableProvider = {
  provider: ProviderId;
  label: string;
  /** The key a chat would use, or null when the chat would fail with `code`. */
  source: KeySource | null;
  code: "API_KEY_REQUIRED" | "INVALID_API_KEY" | "KEY_NEEDS_REENTRY" | null;
};

/** From stored state only (no decryption): cheap enough for every page render. */
export async function usableProviders(
  userId: string,
  deps: VaultDeps = vaultDeps(),
): Promise<UsableProvider[]> {
  const rows = await deps.db.providerKey.findMany({
    where: { userId },
    select: { provider: true, enabled: true, status: true },
  });
  const byProvider = new Map(rows.map((r) => [r.provider, r]));
  return PROVIDER_IDS.map((provider) => {
    const stored = byProvider.get(provider) ?? null;
    const d = decideSource({ provider, stored, systemKeyConfigured: !!deps.systemKey(provider) });
    const label = getProvider(provider).label;
    if (d.kind === "error") return { provider, label, source: null, code: d.code };
    if (d.kind === "personal" && stored?.status === "NEEDS_REENTRY") {
      return { provider, label, source: null, code: "KEY_NEEDS_REENTRY" };
    }
    return { provider, label, source: d.kind, code: null };
  });
}
