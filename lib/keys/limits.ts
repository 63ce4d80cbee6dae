import { z } from "zod";
import { costMicros, formatUsd, priceOf } from "@/lib/ai/prices";
import { getProvider, type ProviderId } from "@/lib/ai/registry";
import { db as processDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { writeAudit } from "./audit";
import { type Hold, release, reserve } from "./holds";
import type { RequestContext } from "./schemas";

// The user's own spending limits on their personal key for a provider: per UTC day and UTC
// month, in dollars and/or tokens. A turn is checked BEFORE the provider call, with an estimate
// (prompt size + the most it may answer) on top of what was already spent and what other turns
// of this user have in flight; it is settled after: the turn's UsageEvent (written with the
// answer) holds the real tokens and cost, and the in-flight estimate is released.
// A model without a known price counts against token limits only: its dollar cost is unknown.
// The operator's budgets on THEIR keys are lib/operator/policy.ts (same BUDGET_EXCEEDED code).

type Db = Pick<PrismaClient, "spendingLimit" | "usageEvent" | "$transaction">;

export const LIMIT_PERIODS = ["day", "month"] as const;
export const LIMIT_UNITS = ["usd", "tokens"] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];
export type LimitUnit = (typeof LIMIT_UNITS)[number];

/** What a turn is assumed to answer when the chat sets no maximum output. */
export const DEFAULT_OUTPUT_ESTIMATE = 1024;
/** Where the user changes a provider's limits (the error's button goes there). */
export const limitSetting = (provider: string) => `/settings/ai#limits-${provider}`;

const MAX_USD_MICROS = 1_000_000 * 1_000_000; // $1,000,000
const MAX_TOKENS = 1_000_000_000_000;

/** A form's four fields; null or absent clears that limit. Dollars as typed, tokens as integers. */
export const limitsInputSchema = z.strictObject({
  dayUsd: z.number().positive("Enter an amount above 0.").max(1_000_000).nullable().optional(),
  monthUsd: z.number().positive("Enter an amount above 0.").max(1_000_000).nullable().optional(),
  dayTokens: z
    .number()
    .int("Enter a whole number of tokens.")
    .positive()
    .max(MAX_TOKENS)
    .nullable()
    .optional(),
  monthTokens: z
    .number()
    .int("Enter a whole number of tokens.")
    .positive()
    .max(MAX_TOKENS)
    .nullable()
    .optional(),
});
export type LimitsInput = z.infer<typeof limitsInputSchema>;

const FIELDS = [
  ["dayUsd", "day", "usd"],
  ["monthUsd", "month", "usd"],
  ["dayTokens", "day", "tokens"],
  ["monthTokens", "month", "tokens"],
] as const;

export type Spent = { tokens: number; micros: number; requests: number };
export type LimitState = {
  period: LimitPeriod;
  unit: LimitUnit;
  /** Micro-dollars for usd, tokens for tokens. */
  amount: number;
  used: number;
  /** used / amount, 0..1+ (the UI warns at 0.8). */
  ratio: number;
  resetsAt: string;
};
export type ProviderLimits = { provider: ProviderId; limits: LimitState[]; day: Spent; month: Spent };

function periodStart(period: LimitPeriod, now: Date): Date {
  return period === "day"
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

function periodEnd(period: LimitPeriod, now: Date): Date {
  return period === "day"
    ? new Date(periodStart("day", now).getTime() + 86_400_000)
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

async function spentSince(db: Db, userId: string, provider: string, since: Date): Promise<Spent> {
  const a = await db.usageEvent.aggregate({
    where: { userId, provider, keySource: "personal", createdAt: { gte: since } },
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true, costMicros: true },
  });
  return {
    tokens: (a._sum.inputTokens ?? 0) + (a._sum.outputTokens ?? 0),
    micros: a._sum.costMicros ?? 0,
    requests: a._count._all,
  };
}

/** A turn's estimate, held from its check until it settles (lib/keys/holds.ts: shared with REDIS_URL). */
export type LimitHold = { hold: Hold; released: boolean };

export type TurnEstimateInput = {
  userId: string;
  provider: ProviderId;
  model: string;
  keySource: string;
  /** Characters of everything sent (history + message); ~4 characters a token. */
  promptChars: number;
  /** The chat's maximum output when it sets one. */
  maxOutputTokens?: number;
};

export function estimateTurn(
  input: Pick<TurnEstimateInput, "provider" | "model" | "promptChars" | "maxOutputTokens">,
) {
  const inputTokens = Math.ceil(Math.max(0, input.promptChars) / 4);
  const outputTokens = input.maxOutputTokens ?? DEFAULT_OUTPUT_ESTIMATE;
  const priced = priceOf(input.provider, input.model) !== null;
  return {
    tokens: inputTokens + outputTokens,
    micros: priced ? costMicros(input.provider, input.model, inputTokens, outputTokens) : 0,
    priced,
  };
}

const usd = formatUsd;

/**
 * Throws BUDGET_EXCEEDED when this turn (its estimate) would take a limit of the user's personal
 * key for the provider past its amount; otherwise holds the estimate until settleTurnSpending.
 * Requests on the operator's system key are not the user's spending (the operator budgets them).
 */
export async function checkTurnSpending(
  db: Db,
  input: TurnEstimateInput,
  now = new Date(),
): Promise<LimitHold | null> {
  if (input.keySource !== "personal") return null;
  const limits = await db.spendingLimit.findMany({
    where: { userId: input.userId, provider: input.provider },
    select: { period: true, unit: true, amount: true },
  });
  if (limits.length === 0) return null;
  const est = estimateTurn(input);
  // Held before it is compared: the total includes this turn and every other live one.
  const { hold, total: held } = await reserve(`${input.userId}:${input.provider}`, est);
  const periods = [...new Set(limits.map((l) => l.period as LimitPeriod))];
  let spent: Map<LimitPeriod, Spent>;
  try {
    spent = new Map(
      await Promise.all(
        periods.map(
          async (p) => [p, await spentSince(db, input.userId, input.provider, periodStart(p, now))] as const,
        ),
      ),
    );
  } catch (e) {
    await release(hold);
    throw e;
  }
  for (const l of limits) {
    const period = l.period as LimitPeriod;
    const s = spent.get(period) as Spent;
    const amount = Number(l.amount);
    const label = getProvider(input.provider).label;
    const when = period === "day" ? "today" : "this month";
    const resets = period === "day" ? "at midnight UTC" : "on the 1st of the month (UTC)";
    const retryAfter = Math.max(1, Math.ceil((periodEnd(period, now).getTime() - now.getTime()) / 1000));
    const extra = { retryAfter, setting: limitSetting(input.provider) };
    if (l.unit === "tokens" && s.tokens + held.tokens > amount) {
      await release(hold);
      throw new AppError(
        "BUDGET_EXCEEDED",
        `This message could take your ${label} key past your ${period === "day" ? "daily" : "monthly"} limit of ${amount.toLocaleString("en-US")} tokens (${s.tokens.toLocaleString("en-US")} used ${when}). It resets ${resets}; you can raise the limit in AI settings.`,
        extra,
      );
    }
    // A model without a known price cannot be held to a dollar amount: token limits cover it.
    if (l.unit === "usd" && est.priced && s.micros + held.micros > amount) {
      await release(hold);
      throw new AppError(
        "BUDGET_EXCEEDED",
        `This message could take your ${label} key past your ${period === "day" ? "daily" : "monthly"} limit of ${usd(amount)} (${usd(s.micros)} spent ${when}, up to ${usd(est.micros)} for this message). It resets ${resets}; you can raise the limit in AI settings.`,
        extra,
      );
    }
  }
  return { hold, released: false };
}

/** Releases a turn's estimate once it ended (its real usage is in its UsageEvent by then). */
export function settleTurnSpending(spending: LimitHold | null): void {
  if (!spending || spending.released) return;
  spending.released = true;
  void release(spending.hold);
}

/** Every provider's limits with what was used against them this UTC day and month. */
export async function listLimits(
  userId: string,
  db: Db = processDb(),
  now = new Date(),
): Promise<ProviderLimits[]> {
  const rows = await db.spendingLimit.findMany({
    where: { userId },
    select: { provider: true, period: true, unit: true, amount: true },
  });
  const providers = [...new Set(rows.map((r) => r.provider))];
  return Promise.all(
    providers.map(async (provider) => {
      const [day, month] = await Promise.all([
        spentSince(db, userId, provider, periodStart("day", now)),
        spentSince(db, userId, provider, periodStart("month", now)),
      ]);
      const limits = rows
        .filter((r) => r.provider === provider)
        .map((r) => {
          const period = r.period as LimitPeriod;
          const unit = r.unit as LimitUnit;
          const s = period === "day" ? day : month;
          const amount = Number(r.amount);
          const used = unit === "usd" ? s.micros : s.tokens;
          return {
            period,
            unit,
            amount,
            used,
            ratio: used / amount,
            resetsAt: periodEnd(period, now).toISOString(),
          };
        });
      return { provider: provider as ProviderId, limits, day, month };
    }),
  );
}

/** Replaces a provider's limits with the form's (absent/null: no limit of that kind). */
export async function setLimits(
  userId: string,
  provider: ProviderId,
  input: LimitsInput,
  ctx?: RequestContext,
  db: PrismaClient = processDb(),
): Promise<ProviderLimits> {
  await db.$transaction(async (tx) => {
    const set: Record<string, number> = {};
    for (const [field, period, unit] of FIELDS) {
      const v = input[field];
      const where = { userId_provider_period_unit: { userId, provider, period, unit } };
      if (v === null || v === undefined) {
        await tx.spendingLimit.deleteMany({ where: { userId, provider, period, unit } });
        continue;
      }
      const amount = unit === "usd" ? Math.round(v * 1_000_000) : v;
      if (amount <= 0 || amount > (unit === "usd" ? MAX_USD_MICROS : MAX_TOKENS)) continue;
      set[field] = v;
      await tx.spendingLimit.upsert({
        where,
        create: { userId, provider, period, unit, amount: BigInt(amount) },
        update: { amount: BigInt(amount) },
      });
    }
    await writeAudit(tx, userId, { action: "limits.changed", provider, detail: set }, ctx);
  });
  return providerLimits(userId, provider, db);
}

/** One provider's limits and use (no limits: an empty list with this period's use). */
export async function providerLimits(
  userId: string,
  provider: ProviderId,
  db: Db = processDb(),
  now = new Date(),
): Promise<ProviderLimits> {
  const all = await listLimits(userId, db, now);
  const found = all.find((p) => p.provider === provider);
  if (found) return found;
  const [day, month] = await Promise.all([
    spentSince(db, userId, provider, periodStart("day", now)),
    spentSince(db, userId, provider, periodStart("month", now)),
  ]);
  return { provider, limits: [], day, month };
}
