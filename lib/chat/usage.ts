import { db } from "@/lib/db";
import type { Db } from "./persist";

// What the user spent, per provider, for the AI settings page. Costs are estimates from the
// list prices in prices.ts, in micro-dollars.

export type UsageTotals = { requests: number; inputTokens: number; outputTokens: number; costMicros: number };
export type ProviderUsage = { provider: string; today: UsageTotals; last30Days: UsageTotals };
export type UsageSummary = { todaySince: string; last30DaysSince: string; providers: ProviderUsage[] };

const empty = (): UsageTotals => ({ requests: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 });

/** Per provider, today and the last 30 days: tokens, requests and estimated cost. */
export async function usageSummary(
  userId: string,
  now = new Date(),
  client: Db = db(),
): Promise<UsageSummary> {
  // Days are UTC days: the server does not know the viewer's time zone.
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const since30 = new Date(today.getTime() - 29 * 86_400_000);
  const group = (from: Date) =>
    client.usageEvent.groupBy({
      by: ["provider"],
      where: { userId, createdAt: { gte: from } },
      _count: { _all: true },
      _sum: { inputTokens: true, outputTokens: true, costMicros: true },
    });
  const [day, month] = await Promise.all([group(today), group(since30)]);
  const byProvider = new Map<string, ProviderUsage>();
  const slot = (p: string) => {
    let u = byProvider.get(p);
    if (!u) {
      u = { provider: p, today: empty(), last30Days: empty() };
      byProvider.set(p, u);
    }
    return u;
  };
  for (const [rows, key] of [
    [month, "last30Days"],
    [day, "today"],
  ] as const) {
    for (const r of rows) {
      slot(r.provider)[key] = {
        requests: r._count._all,
        inputTokens: r._sum.inputTokens ?? 0,
        outputTokens: r._sum.outputTokens ?? 0,
        costMicros: r._sum.costMicros ?? 0,
      };
    }
  }
  return {
    todaySince: today.toISOString(),
    last30DaysSince: since30.toISOString(),
    providers: [...byProvider.values()].sort((a, b) => b.last30Days.costMicros - a.last30Days.costMicros),
  };
}

export { formatMicros } from "@/lib/ai/prices";
