import { getProvider, isProviderId, type ProviderId } from "@/lib/ai/registry";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";

// A user may keep several keys per provider. They are tried in (position, createdAt, id) order;
// "the provider's key" of the one-key API (PUT /api/keys/openai, the settings card's form) is
// the first of them. A key is addressed either by its provider (→ that first key) or by its id.

/** Prisma orderBy for a provider's keys, first key first. */
export const KEY_ORDER = [{ position: "asc" }, { createdAt: "asc" }, { id: "asc" }] as const satisfies {
  [k: string]: "asc";
}[];

/** Which stored key an operation is about: the provider's first key, or one key by id. */
export type KeyTarget = { provider: ProviderId; id?: string };

export function toTarget(target: ProviderId | KeyTarget): KeyTarget {
  return typeof target === "string" ? { provider: target } : target;
}

/** Every query names the owner: another user's key id is exactly an unused one. */
export function targetWhere(userId: string, t: KeyTarget) {
  return t.id ? { userId, provider: t.provider, id: t.id } : { userId, provider: t.provider };
}

export function noKeyFor(t: KeyTarget): AppError {
  return t.id
    ? new AppError("NOT_FOUND", "No such key.")
    : new AppError("NOT_FOUND", `No ${getProvider(t.provider).label} key is saved.`);
}

/** Key ids are cuids; anything else in the id slot is a missing resource. */
export const KEY_ID_PATTERN = /^[a-z0-9]{20,40}$/;

/**
 * A path segment of /api/keys/{segment}: a provider id (its first key, the old meaning) or a key
 * id, which is looked up among the caller's own keys only (unknown or another user's → 404).
 */
export async function parseKeySegment(
  segment: string,
  findOwned: (id: string) => Promise<{ provider: string } | null>,
): Promise<KeyTarget> {
  if (isProviderId(segment)) return { provider: segment };
  if (!KEY_ID_PATTERN.test(segment)) throw new AppError("NOT_FOUND", "Unknown provider or key.");
  const row = await findOwned(segment);
  if (!row || !isProviderId(row.provider)) throw new AppError("NOT_FOUND", "Unknown provider or key.");
  return { provider: row.provider, id: segment };
}

/** Refusals before the first token that pass a turn to the user's next key (chat and /v1). */
export const FAILOVER_CODES: ReadonlySet<string> = new Set([
  "INVALID_API_KEY",
  "QUOTA_EXCEEDED",
  "RATE_LIMITED",
]);

/** What choosing among a provider's keys reads of each. */
export type OrderedKeyState = { id: string; enabled: boolean; status: KeyStatus; baseUrl?: string | null };

/**
 * The keys a chat may try, in order: enabled and not known invalid (a key needing re-entry is
 * included: resolving decrypts it, so a restored master key heals it). For `compatible` only
 * the keys of the first candidate's endpoint: failover never moves a chat to another server.
 */
export function chatCandidates<T extends OrderedKeyState>(provider: string, rows: T[]): T[] {
  const usable = rows.filter((r) => r.enabled && r.status !== "INVALID");
  if (provider !== "compatible" || usable.length === 0) return usable;
  const endpoint = usable[0]?.baseUrl ?? null;
  return usable.filter((r) => (r.baseUrl ?? null) === endpoint);
}

/**
 * The one state the source rule (policy.decideSource) reads for a provider with several keys:
 * the first candidate that decrypts as far as we know, else one needing re-entry (the chat says
 * so), else an enabled key (all invalid → the chat says so); else the first (switched-off) key;
 * null without keys.
 */
export function representative<T extends OrderedKeyState>(rows: T[]): T | null {
  return (
    rows.find((r) => r.enabled && r.status !== "INVALID" && r.status !== "NEEDS_REENTRY") ??
    rows.find((r) => r.enabled && r.status !== "INVALID") ??
    rows.find((r) => r.enabled) ??
    rows[0] ??
    null
  );
}

/** How an answer names the key it came from: "Work …x9Qa", "…x9Qa", or the label alone (keyless). */
export function keyDisplayName(k: { label: string | null; last4: string; keyless?: boolean }): string {
  const tail = k.last4 ? `…${k.last4}` : "";
  return [k.label, tail].filter(Boolean).join(" ") || (k.keyless ? "Keyless endpoint" : "Key");
}
