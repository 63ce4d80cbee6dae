import { getProvider, PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import { decryptSecret } from "@/lib/crypto";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { checkSystemKeyPolicy } from "@/lib/operator/policy";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import { endpointKeyLabel } from "./endpoints";
import { storedApiKey } from "./keyless";
import { chatCandidates, KEY_ORDER, keyDisplayName, representative } from "./order";
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
  /** The personal key's id (several keys per provider: the one this call runs on). */
  keyId?: string;
  /** How the answer names the personal key: "Work …x9Qa" (order.keyDisplayName). */
  keyLabel?: string;
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
  label?: string | null;
  keyless?: boolean;
};

const KEY_ROW_COLUMNS = {
  id: true,
  enabled: true,
  status: true,
  ciphertext: true,
  baseUrl: true,
  version: true,
  last4: true,
  updatedAt: true,
  label: true,
  keyless: true,
} as const;

/** The user's keys for the provider, in the order they are tried. */
export function loadKeyRows(
  userId: string,
  provider: ProviderId,
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<KeyRow[]> {
  return deps.db.providerKey.findMany({
    where: { userId, provider },
    orderBy: [...KEY_ORDER],
    select: KEY_ROW_COLUMNS,
  });
}

/** `preloaded`: the user's rows as the caller already read them ({ row }: the one-key shape). */
export type PreloadedKeys = { rows: KeyRow[] } | { row: KeyRow | null };

function rowsOf(preloaded: PreloadedKeys): KeyRow[] {
  if ("rows" in preloaded) return preloaded.rows;
  return preloaded.row ? [preloaded.row] : [];
}

/**
 * The key this user's request to `provider` runs on: the system key when the source rule says
 * so, else the first of the user's keys that may be tried (order.chatCandidates) and decrypts.
 * `preloaded` saves the lookup; it must be this user's rows, in order.
 */
export async function resolveKey(
  userId: string,
  provider: ProviderId,
  preloaded?: PreloadedKeys,
  deps: VaultDeps = vaultDeps(),
): Promise<ResolvedKey> {
  const rows = preloaded ? rowsOf(preloaded) : await loadKeyRows(userId, provider, deps);
  const systemKey = deps.systemKey(provider);
  const stored = representative(rows);
  const decision = decideSource({ provider, stored, systemKeyConfigured: !!systemKey });

  if (decision.kind === "system" && systemKey) {
    await checkSystemKeyPolicy(userId, provider, deps); // the operator's allow-list and daily budget
    return { source: "system", apiKey: systemKey };
  }
  if (decision.kind === "error") {
    throw decision.code === "API_KEY_REQUIRED"
      ? new AppError("API_KEY_REQUIRED", requiredMessage(provider, !!stored))
      : new AppError(decision.code);
  }
  if (!stored) throw new AppError("API_KEY_REQUIRED", requiredMessage(provider, false));
  const key = await nextPersonalKey(userId, provider, { rows }, [], deps);
  if (!key) throw new AppError("KEY_NEEDS_REENTRY");
  return key;
}

/**
 * The next personal key to try after the ones in `tried` (failover before the first token), or
 * null when none is left. Never the system key: a turn that started on a personal key stays on
 * the user's keys (policy.decideSource). A key that no longer decrypts is marked and skipped.
 */
export async function nextPersonalKey(
  userId: string,
  provider: ProviderId,
  preloaded: PreloadedKeys | undefined,
  tried: readonly string[],
  deps: VaultDeps = vaultDeps(),
): Promise<ResolvedKey | null> {
  const rows = preloaded ? rowsOf(preloaded) : await loadKeyRows(userId, provider, deps);
  for (const row of chatCandidates(provider, rows)) {
    if (tried.includes(row.id)) continue;
    const decrypted = await decryptSecret({ ciphertext: row.ciphertext, userId, provider }, deps.keyring);
    if (!decrypted.ok) {
      await markNeedsReentry(userId, provider, row, decrypted.detail, undefined, deps);
      continue;
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
    const keyName = keyDisplayName({ label: row.label ?? null, last4: row.last4, keyless: row.keyless });
    return {
      source: "personal",
      apiKey: storedApiKey(decrypted.plaintext),
      keyVersion: row.version,
      keyId: row.id,
      // An OpenAI-compatible answer names its endpoint ("Ollama"), and the key when not the first.
      keyLabel: (provider === "compatible" && endpointKeyLabel(rows, row.id, keyName)) || keyName,
      ...(baseUrl ? { baseUrl } : {}),
    };
  }
  return null;
}

type KeyOpts = { keyVersion?: number; keyId?: string };

/** The provider rejected the personal key during a chat: show it as invalid until re-tested or replaced. */
export async function markKeyInvalid(
  userId: string,
  provider: ProviderId,
  opts: KeyOpts = {},
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE "ProviderKey" SET "status" = 'INVALID'
    WHERE "userId" = ${userId} AND "provider" = ${provider}
      AND (${opts.keyId ?? null}::text IS NULL OR "id" = ${opts.keyId ?? null})
      AND (${opts.keyVersion ?? null}::int IS NULL OR "version" = ${opts.keyVersion ?? null}::int)`;
}

/** Raw SQL on purpose: Prisma's @updatedAt would make every chat look like an edit of the key. */
export async function touchKeyUsed(
  userId: string,
  provider: ProviderId,
  opts: KeyOpts = {},
  deps: Pick<VaultDeps, "db"> = vaultDeps(),
): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE "ProviderKey" SET "lastUsedAt" = now()
    WHERE "userId" = ${userId} AND "provider" = ${provider}
      AND (${opts.keyId ?? null}::text IS NULL OR "id" = ${opts.keyId ?? null})
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
    select: { id: true, provider: true, enabled: true, status: true },
    orderBy: [...KEY_ORDER],
  });
  return PROVIDER_IDS.map((provider) => {
    const stored = representative(rows.filter((r) => r.provider === provider));
    const d = decideSource({ provider, stored, systemKeyConfigured: !!deps.systemKey(provider) });
    const label = getProvider(provider).label;
    if (d.kind === "error") return { provider, label, source: null, code: d.code };
    if (d.kind === "personal" && stored?.status === "NEEDS_REENTRY") {
      return { provider, label, source: null, code: "KEY_NEEDS_REENTRY" };
    }
    return { provider, label, source: d.kind, code: null };
  });
}
