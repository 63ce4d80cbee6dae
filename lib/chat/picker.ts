import { isKnownModel, type ModelOption, PROVIDERS, type ProviderId } from "@/lib/ai/registry";
import type { KeySource } from "@/lib/keys/policy";

// What the model picker offers: only providers a chat would work with right now, and the
// model a chat starts on (its last model, else the user's default, else the first usable).

export type PickerProvider = {
  id: ProviderId;
  label: string;
  source: KeySource;
  models: readonly ModelOption[];
};
export type Selection = { provider: ProviderId; model: string };
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

export function pickerProviders(
  usable: { provider: ProviderId; label: string; source: KeySource | null }[],
): PickerProvider[] {
  return usable.flatMap((u) =>
    u.source
      ? [{ id: u.provider, label: u.label, source: u.source, models: PROVIDERS[u.provider].models }]
      : [],
  );
}

export function initialSelection(
  providers: PickerProvider[],
  candidates: { provider?: string | null; model?: string | null }[],
): Selection | null {
  for (const c of candidates) {
    const p = providers.find((x) => x.id === c.provider);
    if (p && c.model && isKnownModel(p.id, c.model)) return { provider: p.id, model: c.model };
  }
  const first = providers[0];
  if (!first) return null;
  return { provider: first.id, model: PROVIDERS[first.id].defaultModel ?? first.models[0]?.id ?? "" };
}
