import Redis from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { env } from "@/lib/env";

// Named rate limiters shared by every feature. In-memory by default; Redis when REDIS_URL is
// set so several instances share one budget. Everything lives on globalThis because route
// handlers and server actions are separate bundles under `next start`.

export type LimitOptions = { points: number; durationSec: number };
export type LimitResult = { ok: true; remaining: number } | { ok: false; retryAfterSec: number };

type Entry = { opts: LimitOptions; rl: RateLimiterAbstract };
type Store = {
  limiters: Map<string, Entry>;
  redis?: Redis;
  redisUrl?: string;
  /** "down" from the first failure until Redis is ready again: one warning per outage. */
  redisState?: "connecting" | "up" | "down";
};

const g = globalThis as unknown as { __byokLimits?: Store };
function store(): Store {
  g.__byokLimits ??= { limiters: new Map() };
  return g.__byokLimits;
}

function redisClient(url: string): Redis {
  const s = store();
  if (!s.redis || s.redisUrl !== url) {
    // No offline queue: while Redis is down calls fail fast and the memory insurance answers.
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    s.redis = redis;
    s.redisUrl = url;
    s.redisState = "connecting";
    // ioredis reports every failed reconnect; say it once per outage. Meanwhile each limiter's
    // memory insurance answers, so limits hold per instance instead of across instances.
    const down = () => {
      if (s.redis !== redis || s.redisState === "down") return;
      s.redisState = "down";
      console.warn(
        "[limits] Redis unreachable: rate limits now count per instance (in memory) until it is back",
      );
    };
    redis.on("error", down);
    redis.on("close", down);
    redis.on("ready", () => {
      if (s.redis !== redis) return;
      if (s.redisState === "down")
        console.info("[limits] Redis reachable again: rate limits are shared again");
      s.redisState = "up";
    });
  }
  return s.redis;
}

function build(name: string, opts: LimitOptions): RateLimiterAbstract {
  const base = { points: opts.points, duration: opts.durationSec, keyPrefix: `byok:rl:${name}` };
  const url = env().REDIS_URL;
  if (!url) return new RateLimiterMemory(base);
  return new RateLimiterRedis({
    ...base,
    storeClient: redisClient(url),
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(base),
  });
}

/**
 * Connects to Redis at start-up (REDIS_URL set), so the first requests already count in the
 * shared store rather than in one instance's memory. Waits at most `timeoutMs`; a Redis that
 * does not answer by then is reported once and retried in the background.
 */
export async function connectLimitStore(timeoutMs = 3000): Promise<void> {
  const url = env().REDIS_URL;
  if (!url) return;
  const redis = redisClient(url);
  if (redis.status === "ready") return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      redis.off("ready", done);
      redis.off("error", done);
      resolve();
    }
    redis.once("ready", done);
    redis.once("error", done);
  });
}

/**
 * The Redis client the limiters share, when REDIS_URL is set and it is connected; null otherwise
 * (no Redis configured, or it is down: callers then keep their state in this process's memory).
 */
export function sharedRedis(): Redis | null {
  const url = env().REDIS_URL;
  if (!url) return null;
  const redis = redisClient(url);
  return redis.status === "ready" ? redis : null;
}

/** Declares (or returns) the limiter `name`. Re-declaring with other options replaces it. */
export function limiter(name: string, opts: LimitOptions): RateLimiterAbstract {
  const s = store();
  const existing = s.limiters.get(name);
  if (existing && existing.opts.points === opts.points && existing.opts.durationSec === opts.durationSec) {
    return existing.rl;
  }
  const rl = build(name, opts);
  s.limiters.set(name, { opts, rl });
  return rl;
}

function get(name: string): Entry {
  const entry = store().limiters.get(name);
  if (!entry) throw new Error(`Rate limiter "${name}" is not declared; call limiter() first`);
  return entry;
}

const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Spends `points` for `key`. Over budget → `{ ok: false, retryAfterSec }`. */
export async function consume(name: string, key: string, points = 1): Promise<LimitResult> {
  const { rl } = get(name);
  try {
    const res = await rl.consume(key, points);
    return { ok: true, remaining: res.remainingPoints };
  } catch (e) {
    if (e instanceof RateLimiterRes) return { ok: false, retryAfterSec: retryAfter(e.msBeforeNext) };
    throw e;
  }
}

/** Reports whether `key` still has budget, without spending any. */
export async function peek(name: string, key: string): Promise<LimitResult> {
  const { rl, opts } = get(name);
  const res = await rl.get(key);
  if (!res) return { ok: true, remaining: opts.points };
  if (res.consumedPoints >= opts.points) return { ok: false, retryAfterSec: retryAfter(res.msBeforeNext) };
  return { ok: true, remaining: opts.points - res.consumedPoints };
}

/** Gives back points spent by `key` (e.g. an attempt that turned out fine). */
export async function refund(name: string, key: string, points = 1): Promise<void> {
  await get(name).rl.reward(key, points);
}

/** Refuses `key` for `sec` seconds from now (consume/peek answer `ok: false` until then). */
export async function block(name: string, key: string, sec: number): Promise<void> {
  await get(name).rl.block(key, sec);
}

/** Forgets everything spent by `key` (e.g. after a successful sign-in). */
export async function reset(name: string, key: string): Promise<void> {
  await get(name).rl.delete(key);
}

/** "2 minutes" / "45 seconds": for messages shown to people. */
export function humanizeSeconds(sec: number): string {
  if (sec < 60) return `${sec} second${sec === 1 ? "" : "s"}`;
  const min = Math.ceil(sec / 60);
  return `${min} minute${min === 1 ? "" : "s"}`;
}
