import { type Price, priceOf } from "@/lib/ai/prices";
import { isKnownModel, PROVIDERS, type ProviderId } from "@/lib/ai/registry";
import type { ModelCache } from "@/lib/keys/models";
import type { KeySource } from "@/lib/keys/policy";
import { entryFor, selectionOf } from "./picker-entry";

// What the model picker offers: only providers a chat would work with right now, and the
// model a chat starts on (its last model, else the user's default, else the first usable).
// With a personal key whose models the provider listed (lib/keys/models.ts), the picker offers
// that list; otherwise our registry's. Browser-safe: type imports only from lib/keys.

export type PickerModel = {
  id: string;
  label: string;
  /** From our price table; null: "price unknown" (and dollar limits cannot cover it). */
  price: Price | null;
  /** The provider stopped listing it for this key: kept so a chat on it can say so. */
  gone?: boolean;
};
export type PickerProvider = {
  id: ProviderId;
  label: string;
  source: KeySource;
  models: readonly PickerModel[];
  /** When the list came from the provider for this key (null: our registry's list). */
  listedAt: string | null;
  /** The cached list is older than a day. */
  stale?: boolean;
  /**
   * OpenAI-compatible with several endpoints: one entry per endpoint (lib/keys/endpoints.ts),
   * labelled with its name. `id`: its first key's; `keyIds`: all its keys (an answer's keyId
   * names the endpoint that answered).
   */
  endpoint?: { id: string; keyIds: string[] };
};
/** `keyId`: OpenAI-compatible, the endpoint the chat runs on (sent with every turn). */
export type Selection = { provider: ProviderId; model: string; keyId?: string };
/** One OpenAI-compatible endpoint a chat may run on, with its models as the server listed them. */
export type EndpointModels = { id: string; name: string; keyIds: string[]; cache: ModelCache | null };

/** A spending limit of the user's that is 80% used or more (the chat warns). */
export type BudgetWarning = {
  provider: ProviderId;
  label: string;
  period: "day" | "month";
  unit: "usd" | "tokens";
  amount: number;
  used: number;
  ratio: number;
  /** A limit of one key (several keys per provider), with the key's display name. */
  key?: { id: string; name: string };
};
/** A personal key the chat cannot use until the user fixes it in AI settings. */
export type RejectedKey = {
  provider: ProviderId;
  label: string;
  code: "INVALID_API_KEY" | "KEY_NEEDS_REENTRY";
};

/** Keys that were rejected (or must be re-entered): the chat says so, with the fix, not onboarding. */
export function rejectedKeys(
  usable: { provider: ProviderId; label: string; source: KeySource | null; code: string | null }[],
): RejectedKey[] {
  return usable.flatMap((u) =>
    !u.source && (u.code === "INVALID_API_KEY" || u.code === "KEY_NEEDS_REENTRY")
      ? [{ provider: u.provider, label: u.label, code: u.code }]
      : [],
  );
}

function registryModels(provider: ProviderId): PickerModel[] {
  return PROVIDERS[provider].models.map((m) => ({ ...m, price: priceOf(provider, m.id) }));
}

function liveModels(provider: ProviderId, cache: ModelCache): PickerModel[] {
  const known = new Map(PROVIDERS[provider].models.map((m) => [m.id, m.label]));
  return cache.models.map((m) => ({
    id: m.id,
    label: known.get(m.id) ?? m.label ?? m.id,
    price: priceOf(provider, m.id),
    ...(m.goneAt ? { gone: true } : {}),
  }));
}

export function pickerProviders(
  usable: { provider: ProviderId; label: string; source: KeySource | null }[],
  live: Partial<Record<ProviderId, ModelCache>> = {},
  /** The user's usable OpenAI-compatible endpoints: with two or more, one entry each. */
  endpoints: readonly EndpointModels[] = [],
): PickerProvider[] {
  return usable.flatMap((u): PickerProvider[] => {
    if (!u.source) return [];
    if (u.provider === "compatible" && u.source === "personal" && endpoints.length > 1)
      return endpoints.map((e) => {
        const listed = e.cache && e.cache.models.length > 0 ? e.cache : undefined;
        return {
          id: u.provider,
          label: e.name,
          source: u.source as KeySource,
          models: listed ? liveModels(u.provider, listed) : registryModels(u.provider),
          listedAt: listed?.fetchedAt ?? null,
          ...(listed?.stale ? { stale: true } : {}),
          endpoint: { id: e.id, keyIds: e.keyIds },
        };
      });
    // A list fetched with the user's key says nothing about the operator's key.
    const cache = u.source === "personal" ? live[u.provider] : undefined;
    const listed = cache && cache.models.length > 0 ? cache : undefined;
    return [
      {
        id: u.provider,
        label: u.label,
        source: u.source,
        models: listed ? liveModels(u.provider, listed) : registryModels(u.provider),
        listedAt: listed?.fetchedAt ?? null,
        ...(listed?.stale ? { stale: true } : {}),
      },
    ];
  });
}

export function initialSelection(
  providers: PickerProvider[],
  candidates: { provider?: string | null; model?: string | null; keyId?: string | null }[],
): Selection | null {
  for (const c of candidates) {
    const p = entryFor(providers, c);
    // A model the provider stopped listing stays selected (the picker marks it): never swapped.
    if (p && c.model && (p.models.some((m) => m.id === c.model) || isKnownModel(p.id, c.model)))
      return selectionOf(p, c.model);
  }
  const first = providers[0];
  if (!first) return null;
  const preferred = PROVIDERS[first.id].defaultModel;
  const usable = first.models.filter((m) => !m.gone);
  const model =
    preferred && (first.listedAt === null || usable.some((m) => m.id === preferred))
      ? preferred
      : (usable[0]?.id ?? preferred ?? "");
  return selectionOf(first, model);
}
