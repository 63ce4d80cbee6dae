import { randomUUID } from "node:crypto";
import { sharedRedis } from "@/lib/limits";

// Spending held by turns between their check and their settlement (lib/keys/limits.ts), per user
// and provider: two turns sent at once must not both pass on the same remaining budget. With
// REDIS_URL the holds live in Redis, so turns on different instances see each other's; without it
// (or while Redis is down) in this process's memory, as the rate limiters do.
//
// A hold is added before it is compared (reserve returns the total of every live hold, its own
// included), so two racing turns can both be refused near the limit but never both pass. Each hold
// expires on its own after `ttlMs`: an instance that dies mid-turn does not hold budget forever.

export type Amounts = { tokens: number; micros: number };
export type Hold = { key: string; id: string; member: string; amounts: Amounts };

/** Longer than any turn runs (the stream's own limits end it well before). */
export const HOLD_TTL_MS = 15 * 60_000;

type Local = Map<string, Map<string, Amounts & { expiresAt: number }>>;
const local = (): Local => {
  const g = globalThis as { __byokSpendHolds?: Local };
  g.__byokSpendHolds ??= new Map();
  return g.__byokSpendHolds;
};

const redisKey = (key: string) => `byok:hold:${key}`;

function sum(list: Iterable<Amounts>): Amounts {
  const total = { tokens: 0, micros: 0 };
  for (const a of list) {
    total.tokens += a.tokens;
    total.micros += a.micros;
  }
  return total;
}

function parseMember(member: string): Amounts {
  const [, tokens, micros] = member.split(":");
  return { tokens: Number(tokens) || 0, micros: Number(micros) || 0 };
}

/** Adds a hold of `amounts` under `key`; returns it with the total of all live holds (its own included). */
export async function reserve(
  key: string,
  amounts: Amounts,
  ttlMs = HOLD_TTL_MS,
  now = Date.now(),
): Promise<{ hold: Hold; total: Amounts }> {
  const id = randomUUID();
  const member = `${id}:${Math.max(0, Math.round(amounts.tokens))}:${Math.max(0, Math.round(amounts.micros))}`;
  const hold = { key, id, member, amounts };
  const redis = sharedRedis();
  if (redis) {
    try {
      const k = redisKey(key);
      const res = await redis
        .multi()
        .zremrangebyscore(k, "-inf", now)
        .zadd(k, now + ttlMs, member)
        .zrange(k, 0, -1)
        .pexpire(k, ttlMs)
        .exec();
      const members = res?.[2]?.[1];
      if (Array.isArray(members)) return { hold, total: sum(members.map((m) => parseMember(String(m)))) };
    } catch {
      // Redis went away between the check and the call: this process's memory answers.
    }
  }
  const holds = local().get(key) ?? new Map();
  for (const [hid, h] of holds) if (h.expiresAt <= now) holds.delete(hid);
  holds.set(id, { ...amounts, expiresAt: now + ttlMs });
  local().set(key, holds);
  return { hold, total: sum(holds.values()) };
}

/** Takes a hold back (the turn ended; its real usage is in its UsageEvent by then). Never throws. */
export async function release(hold: Hold): Promise<void> {
  const holds = local().get(hold.key);
  if (holds?.delete(hold.id) && holds.size === 0) local().delete(hold.key);
  const redis = sharedRedis();
  if (redis) await redis.zrem(redisKey(hold.key), hold.member).catch(() => undefined);
}
