import "server-only";
import { after } from "next/server";
import { getProvider } from "@/lib/ai/registry";
import { listLimits } from "@/lib/keys/limits";
import { cachedModels, endpointModels, refreshStaleModels } from "@/lib/keys/models";
import { usableProviders } from "@/lib/keys/resolve";
import { getDefaults } from "@/lib/keys/settings";
import { type BudgetWarning, pickerProviders, rejectedKeys } from "./picker";

// What a chat page needs to offer models: the usable providers with the model lists of the
// user's keys, rejected keys, the defaults, and limits at 80% or more. A model list older than a
// day is refreshed after the response (the page shows the cached one meanwhile).

export async function loadPicker(userId: string) {
  const [usable, defaults, live, limits, endpoints] = await Promise.all([
    usableProviders(userId),
    getDefaults(userId),
    cachedModels(userId),
    listLimits(userId),
    endpointModels(userId),
  ]);
  if (Object.values(live).some((c) => c?.stale)) after(() => refreshStaleModels(userId));
  const budgetWarnings: BudgetWarning[] = limits.flatMap((p) =>
    p.limits
      .filter((l) => l.ratio >= 0.8)
      .map((l) => ({ provider: p.provider, label: getProvider(p.provider).label, ...l })),
  );
  return {
    providers: pickerProviders(usable, live, endpoints),
    rejected: rejectedKeys(usable),
    defaults,
    budgetWarnings,
  };
}
