import { getProvider, type ProviderId } from "@/lib/ai/registry";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { decideSource, displayStatus, type KeyDisplayStatus, type KeySource } from "./policy";

// The public view of a stored key. Built from an explicit column list that leaves out the
// ciphertext, so a careless spread can never put it on the wire.

export const PUBLIC_KEY_COLUMNS = {
  id: true,
  provider: true,
  position: true,
  label: true,
  baseUrl: true,
  prefix: true,
  last4: true,
  status: true,
  enabled: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
  lastTestedAt: true,
  lastTestMs: true,
  keyless: true,
} as const;

export type PublicKeyRow = {
  id: string;
  provider: string;
  position: number;
  label: string | null;
  baseUrl: string | null;
  prefix: string;
  last4: string;
  status: KeyStatus;
  enabled: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  lastTestedAt: Date | null;
  lastTestMs: number | null;
  keyless: boolean;
};

export type KeyDto = {
  /** The stored key's id (address it at /api/keys/{id}); null when none is stored. */
  id: string | null;
  provider: ProviderId;
  /** 0-based place among the provider's keys (tried in this order); null when none is stored. */
  position: number | null;
  providerLabel: string;
  hasKey: boolean;
  status: KeyDisplayStatus;
  /** prefix + "…" + last 4, e.g. "sk-proj-…a1b2"; "No key" for a keyless endpoint; null when none is stored. */
  preview: string | null;
  /** An OpenAI-compatible endpoint saved without a key (a local server). */
  keyless: boolean;
  last4: string | null;
  /** The user's name for the key ("Work"); for `compatible` the endpoint's name. */
  label: string | null;
  /** `compatible` only: the endpoint's base URL. */
  baseUrl: string | null;
  enabled: boolean;
  createdAt: string | null;
  updatedAt: string | null;
  lastUsedAt: string | null;
  lastTestedAt: string | null;
  lastTestMs: number | null;
  systemKeyAvailable: boolean;
  /** Which key a new chat would use right now, or null when it would ask for one. */
  chatSource: KeySource | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * `providerState`: the state the source rule reads for the provider as a whole (see
 * order.representative), when the provider has several keys; by default this key's own.
 * `index`: the key's place in its provider's order (the stored position may have gaps).
 */
export function toKeyDto(
  provider: ProviderId,
  row: PublicKeyRow | null,
  systemKeyAvailable: boolean,
  opts: { providerState?: { enabled: boolean; status: KeyStatus } | null; index?: number } = {},
): KeyDto {
  const stored = row ? { enabled: row.enabled, status: row.status } : null;
  const ruling = opts.providerState !== undefined ? opts.providerState : stored;
  const decision = decideSource({ provider, stored: ruling, systemKeyConfigured: systemKeyAvailable });
  const chatSource =
    decision.kind === "system" || (decision.kind === "personal" && ruling?.status !== "NEEDS_REENTRY")
      ? decision.kind
      : null;
  return {
    id: row?.id ?? null,
    provider,
    position: row ? (opts.index ?? row.position) : null,
    providerLabel: getProvider(provider).label,
    hasKey: !!row,
    status: displayStatus(stored),
    preview: row ? (row.keyless ? "No key" : `${row.prefix}…${row.last4}`) : null,
    keyless: row?.keyless ?? false,
    last4: row?.last4 || null,
    label: row?.label ?? null,
    baseUrl: row?.baseUrl ?? null,
    enabled: row?.enabled ?? false,
    createdAt: iso(row?.createdAt ?? null),
    updatedAt: iso(row?.updatedAt ?? null),
    lastUsedAt: iso(row?.lastUsedAt ?? null),
    lastTestedAt: iso(row?.lastTestedAt ?? null),
    lastTestMs: row?.lastTestMs ?? null,
    systemKeyAvailable,
    chatSource,
  };
}

export function noKey(provider: ProviderId): AppError {
  return new AppError("NOT_FOUND", `No ${getProvider(provider).label} key is saved.`);
}
