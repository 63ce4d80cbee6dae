import { z } from "zod";
import { costMicros, formatUsd, priceOf } from "@/lib/ai/prices";
import { getProvider, isProviderId, type ProviderId } from "@/lib/ai/registry";
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
/** Where the user changes one key's own limits. */
export const keyLimitSetting = (keyId: string) => `/settings/ai#limits-key-${keyId}`;

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
/** A provider's own limits (every key's use together) and the limits of each of its keys that has some. */
export type ProviderLimits = {
  provider: ProviderId;
  limits: LimitState[];
  day: Spent;
  month: Spent;
  keys: { keyId: string; limits: LimitState[]; day: Spent; month: Spent }[];
};

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

async function spentSince(
  db: Db,
  userId: string,
  provider: string,
  since: Date,
  keyId?: string,
): Promise<Spent> {
  const a = await db.usageEvent.aggregate({
    where: {
      userId,
      provider,
      keySource: "personal",
      createdAt: { gte: since },
      ...(keyId ? { keyId } : {}),
    },
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true, costMicros: true },
  });
  return {
    tokens: (a._sum.inputTokens ?? 0) + (a._sum.outputTokens ?? 0),
    micros: a._sum.costMicros ?? 0,
    requests: a._count._all,
  };
}

/**
 * A turn's estimate, held from its check until it settles (lib/keys/holds.ts: shared with
 * REDIS_URL): once against the provider's limits, once against the limits of the key it runs on.
 */
export type LimitHold = { provider: Hold | null; key: Hold | null; released: boolean };

export type TurnEstimateInput = {
  userId: string;
  provider: ProviderId;
  model: string;
  keySource: string;
  /** The personal key the turn is about to run on (its own limits count too). */
  keyId?: string;
  /** How the error names that key ("Work …x9Qa"). */
  keyName?: string;
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

/** A key at its own limit: the turn moves on to the provider's next key when there is one. */
export class KeyLimitError extends AppError {
  readonly keyId: string;
  constructor(keyId: string, message: string, extra: { retryAfter: number; setting: string }) {
    super("BUDGET_EXCEEDED", message, extra);
    this.keyId = keyId;
  }
}

type LimitRow = { period: string; unit: string; amount: bigint };
const holdKey = (userId: string, provider: string, keyId?: string) =>
  keyId ? `${userId}:${provider}:key:${keyId}` : `${userId}:${provider}`;

/**
 * Holds the estimate under one scope (the provider, or one key) and compares what was spent in
 * it, plus every live hold, with its limits. Throws BUDGET_EXCEEDED (KeyLimitError for a key),
 * having released its own hold; returns the hold otherwise.
 */
async function holdScope(
  db: Db,
  input: TurnEstimateInput,
  limits: LimitRow[],
  keyId: string | undefined,
  now: Date,
): Promise<Hold | null> {
  if (limits.length === 0) return null;
  const est = estimateTurn(input);
  // Held before it is compared: the total includes this turn and every other live one.
  const { hold, total: held } = await reserve(holdKey(input.userId, input.provider, keyId), est);
  const periods = [...new Set(limits.map((l) => l.period as LimitPeriod))];
  let spent: Map<LimitPeriod, Spent>;
  try {
    spent = new Map(
      await Promise.all(
        periods.map(
          async (p) =>
            [p, await spentSince(db, input.userId, input.provider, periodStart(p, now), keyId)] as const,
        ),
      ),
    );
  } catch (e) {
    await release(hold);
    throw e;
  }
  const label = getProvider(input.provider).label;
  const whose = keyId ? `your ${label} key ${input.keyName ?? ""}`.trimEnd() : `your ${label} key`;
  const refuse = (period: LimitPeriod, message: string): Promise<never> => {
    const retryAfter = Math.max(1, Math.ceil((periodEnd(period, now).getTime() - now.getTime()) / 1000));
    return release(hold).then(() => {
      throw keyId
        ? new KeyLimitError(keyId, message, { retryAfter, setting: keyLimitSetting(keyId) })
        : new AppError("BUDGET_EXCEEDED", message, { retryAfter, setting: limitSetting(input.provider) });
    });
  };
  for (const l of limits) {
    const period = l.period as LimitPeriod;
    const s = spent.get(period) as Spent;
    const amount = Number(l.amount);
    const when = period === "day" ? "today" : "this month";
    const resets = period === "day" ? "at midnight UTC" : "on the 1st of the month (UTC)";
    const which = `${keyId ? "its own " : "your "}${period === "day" ? "daily" : "monthly"} limit`;
    if (l.unit === "tokens" && s.tokens + held.tokens > amount) {
      await refuse(
        period,
        `This message could take ${whose} past ${which} of ${amount.toLocaleString("en-US")} tokens (${s.tokens.toLocaleString("en-US")} used ${when}). It resets ${resets}; you can raise the limit in AI settings.`,
      );
    }
    // A model without a known price cannot be held to a dollar amount: token limits cover it.
    if (l.unit === "usd" && est.priced && s.micros + held.micros > amount) {
      await refuse(
        period,
        `This message could take ${whose} past ${which} of ${usd(amount)} (${usd(s.micros)} spent ${when}, up to ${usd(est.micros)} for this message). It resets ${resets}; you can raise the limit in AI settings.`,
      );
    }
  }
  return hold;
}

function readLimits(db: Db, userId: string, provider: string, scopes: string[]) {
  return db.spendingLimit.findMany({
    where: { userId, provider, scope: { in: scopes } },
    select: { scope: true, period: true, unit: true, amount: true },
  });
}

/**
 * Throws BUDGET_EXCEEDED when this turn (its estimate) would take a limit of the user's personal
 * keys for the provider past its amount: the provider-wide limits (every key's use together),
 * then the limits of the key it is about to run on (KeyLimitError: another key may take the
 * turn). Otherwise holds the estimate until settleTurnSpending. Requests on the operator's
 * system key are not the user's spending (the operator budgets them).
 */
export async function checkTurnSpending(
  db: Db,
  input: TurnEstimateInput,
  now = new Date(),
): Promise<LimitHold | null> {
  if (input.keySource !== "personal") return null;
  const rows = await readLimits(db, input.userId, input.provider, input.keyId ? ["", input.keyId] : [""]);
  if (rows.length === 0) return null;
  const provider = await holdScope(
    db,
    input,
    rows.filter((r) => r.scope === ""),
    undefined,
    now,
  );
  let key: Hold | null = null;
  try {
    key = input.keyId
      ? await holdScope(
          db,
          input,
          rows.filter((r) => r.scope === input.keyId),
          input.keyId,
          now,
        )
      : null;
  } catch (e) {
    if (provider) await release(provider);
    throw e;
  }
  return { provider, key, released: false };
}

/**
 * The turn moves to another key (the one before it was refused or is at its own limit): that
 * key's own limits are checked and its hold taken; the previous key's hold is given back. The
 * provider-wide hold stays. Throws KeyLimitError, leaving `current` as it was.
 */
export async function checkKeySpending(
  db: Db,
  current: LimitHold | null,
  input: TurnEstimateInput & { keyId: string },
  now = new Date(),
): Promise<LimitHold | null> {
  if (input.keySource !== "personal") return current;
  const rows = await readLimits(db, input.userId, input.provider, [input.keyId]);
  const key = await holdScope(db, input, rows, input.keyId, now);
  if (current?.key) await release(current.key);
  if (!current) return key ? { provider: null, key, released: false } : null;
  current.key = key;
  return current;
}

/**
 * A turn's spending check with several keys: a key at its own limit is skipped like a key out
 * of quota (`onSkip` records it) and the next one is checked, with no provider call on the
 * skipped one. Only when no key is left is the turn refused: one key, its own error; several,
 * an error naming them all whose button opens the first one's limits. A provider-wide limit
 * refuses at once (no key of the provider may go past it).
 */
export async function checkSpendingOnKeys<K extends { source: string; keyId?: string; keyLabel?: string }>(
  db: Db,
  input: Omit<TurnEstimateInput, "keySource" | "keyId" | "keyName">,
  first: K,
  next: () => Promise<K | null>,
  onSkip: (from: K, to: K, reason: KeyLimitError) => Promise<void>,
  current?: LimitHold | null,
  now = new Date(),
): Promise<{ key: K; spending: LimitHold | null }> {
  let key = first;
  const blocked: KeyLimitError[] = [];
  for (;;) {
    const at = {
      ...input,
      keySource: key.source,
      ...(key.keyId ? { keyId: key.keyId } : {}),
      ...(key.keyLabel ? { keyName: key.keyLabel } : {}),
    };
    try {
      const spending =
        current === undefined
          ? await checkTurnSpending(db, at, now)
          : key.keyId
            ? await checkKeySpending(db, current, { ...at, keyId: key.keyId }, now)
            : current;
      return { key, spending };
    } catch (e) {
      if (!(e instanceof KeyLimitError)) throw e;
      blocked.push(e);
      const n = await next();
      if (!n) throw allKeysBlocked(input.provider, blocked);
      await onSkip(key, n, e);
      key = n;
    }
  }
}

function allKeysBlocked(provider: ProviderId, blocked: KeyLimitError[]): AppError {
  const [first] = blocked;
  if (!first) return new AppError("BUDGET_EXCEEDED");
  if (blocked.length === 1) return first;
  return new AppError(
    "BUDGET_EXCEEDED",
    `Every ${getProvider(provider).label} key you can use is at its own spending limit. ${first.message}`,
    {
      retryAfter: Math.min(...blocked.map((b) => b.retryAfter ?? 1)),
      setting: first.setting ?? limitSetting(provider),
    },
  );
}

/** Releases a turn's estimate once it ended (its real usage is in its UsageEvent by then). */
export function settleTurnSpending(spending: LimitHold | null): void {
  if (!spending || spending.released) return;
  spending.released = true;
  if (spending.provider) void release(spending.provider);
  if (spending.key) void release(spending.key);
}

/** Every provider's limits (provider-wide, and each key's own) with what was used this UTC day and month. */
export async function listLimits(
  userId: string,
  db: Db = processDb(),
  now = new Date(),
): Promise<ProviderLimits[]> {
  const rows = await db.spendingLimit.findMany({
    where: { userId },
    select: { provider: true, scope: true, period: true, unit: true, amount: true },
  });
  const providers = [...new Set(rows.map((r) => r.provider))];
  return Promise.all(
    providers.map(async (provider) => {
      const mine = rows.filter((r) => r.provider === provider);
      const keyIds = [...new Set(mine.map((r) => r.scope).filter((s) => s !== ""))];
      const [wide, keys] = await Promise.all([
        scopeLimits(db, userId, provider, undefined, mine, now),
        Promise.all(keyIds.map((keyId) => scopeLimits(db, userId, provider, keyId, mine, now))),
      ]);
      return {
        provider: provider as ProviderId,
        ...wide,
        keys: keys.map((k, i) => ({ keyId: keyIds[i] as string, ...k })),
      };
    }),
  );
}

/** One scope's limits (the provider's: keyId undefined) with this UTC day's and month's use. */
async function scopeLimits(
  db: Db,
  userId: string,
  provider: string,
  keyId: string | undefined,
  rows: { scope: string; period: string; unit: string; amount: bigint }[],
  now: Date,
): Promise<{ limits: LimitState[]; day: Spent; month: Spent }> {
  const [day, month] = await Promise.all([
    spentSince(db, userId, provider, periodStart("day", now), keyId),
    spentSince(db, userId, provider, periodStart("month", now), keyId),
  ]);
  const limits = rows
    .filter((r) => r.scope === (keyId ?? ""))
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
  return { limits, day, month };
}

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** Replaces one scope's limits with the form's (absent/null: no limit of that kind). */
async function writeLimits(
  tx: Tx,
  userId: string,
  provider: ProviderId,
  key: { id: string; last4: string } | null,
  input: LimitsInput,
  ctx?: RequestContext,
): Promise<void> {
  const scope = key?.id ?? "";
  const set: Record<string, number> = {};
  for (const [field, period, unit] of FIELDS) {
    const v = input[field];
    if (v === null || v === undefined) {
      await tx.spendingLimit.deleteMany({ where: { userId, provider, scope, period, unit } });
      continue;
    }
    const amount = unit === "usd" ? Math.round(v * 1_000_000) : v;
    if (amount <= 0 || amount > (unit === "usd" ? MAX_USD_MICROS : MAX_TOKENS)) continue;
    set[field] = v;
    await tx.spendingLimit.upsert({
      where: { userId_provider_scope_period_unit: { userId, provider, scope, period, unit } },
      create: { userId, provider, scope, keyId: key?.id ?? null, period, unit, amount: BigInt(amount) },
      update: { amount: BigInt(amount) },
    });
  }
  await writeAudit(
    tx,
    userId,
    {
      action: "limits.changed",
      provider,
      ...(key ? { last4: key.last4 } : {}),
      detail: key ? { ...set, keyId: key.id } : set,
    },
    ctx,
  );
}

/** Replaces a provider's limits (every key's use together) with the form's. */
export async function setLimits(
  userId: string,
  provider: ProviderId,
  input: LimitsInput,
  ctx?: RequestContext,
  db: PrismaClient = processDb(),
): Promise<ProviderLimits> {
  await db.$transaction((tx) => writeLimits(tx, userId, provider, null, input, ctx));
  return providerLimits(userId, provider, db);
}

/** One key's own limits and that key's use (the key must be the caller's: else NOT_FOUND). */
export type KeyLimits = {
  keyId: string;
  provider: ProviderId;
  limits: LimitState[];
  day: Spent;
  month: Spent;
};

async function ownedKey(db: Pick<PrismaClient, "providerKey">, userId: string, keyId: string) {
  const key = await db.providerKey.findFirst({
    where: { id: keyId, userId },
    select: { id: true, provider: true, last4: true },
  });
  if (!key || !isProviderId(key.provider)) throw new AppError("NOT_FOUND", "No such key.");
  return { ...key, provider: key.provider };
}

/** Replaces one key's own limits with the form's. */
export async function setKeyLimits(
  userId: string,
  keyId: string,
  input: LimitsInput,
  ctx?: RequestContext,
  db: PrismaClient = processDb(),
): Promise<KeyLimits> {
  await db.$transaction(async (tx) => {
    // Read inside the transaction: a key removed meanwhile takes its limits with it (cascade).
    const key = await ownedKey(tx, userId, keyId);
    await writeLimits(tx, userId, key.provider, key, input, ctx);
  });
  return keyLimits(userId, keyId, db);
}

export async function keyLimits(
  userId: string,
  keyId: string,
  db: Pick<PrismaClient, "providerKey" | "spendingLimit" | "usageEvent" | "$transaction"> = processDb(),
  now = new Date(),
): Promise<KeyLimits> {
  const key = await ownedKey(db, userId, keyId);
  const rows = await readLimits(db, userId, key.provider, [keyId]);
  return {
    keyId,
    provider: key.provider,
    ...(await scopeLimits(db, userId, key.provider, keyId, rows, now)),
  };
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
  return { provider, ...(await scopeLimits(db, userId, provider, undefined, [], now)), keys: [] };
}
