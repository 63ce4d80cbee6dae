import "server-only";
import { after } from "next/server";
import { getProvider } from "@/lib/ai/registry";
import { db } from "@/lib/db";
import { listLimits } from "@/lib/keys/limits";
import { cachedModels, endpointModels, refreshStaleModels } from "@/lib/keys/models";
import { keyDisplayName } from "@/lib/keys/order";
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
  const near = <L extends { ratio: number }>(ls: L[]) => ls.filter((l) => l.ratio >= 0.8);
  const budgetWarnings: BudgetWarning[] = limits.flatMap((p) =>
    near(p.limits).map((l) => ({ provider: p.provider, label: getProvider(p.provider).label, ...l })),
  );
  // A key's own limits (several keys per provider): named by the key, never more than its label
  // and last four characters.
  const keyWarnings = limits.flatMap((p) =>
    p.keys.flatMap((k) => near(k.limits).map((l) => ({ provider: p.provider, keyId: k.keyId, ...l }))),
  );
  if (keyWarnings.length > 0) {
    const rows = await db().providerKey.findMany({
      where: { userId, id: { in: keyWarnings.map((w) => w.keyId) } },
      select: { id: true, label: true, last4: true, keyless: true },
    });
    const names = new Map(rows.map((r) => [r.id, keyDisplayName(r)]));
    for (const { keyId, ...w } of keyWarnings) {
      const name = names.get(keyId);
      if (name) budgetWarnings.push({ ...w, label: getProvider(w.provider).label, key: { id: keyId, name } });
    }
  }
  return {
    providers: pickerProviders(usable, live, endpoints),
    rejected: rejectedKeys(usable),
    defaults,
    budgetWarnings,
  };
}
