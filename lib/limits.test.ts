import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

// limits.ts keeps its state (and the parsed env) on globalThis; reset both so each suite picks
// its own backend.
const g = globalThis as unknown as { __byokLimits?: { redis?: Redis }; __byokEnv?: unknown };
function resetGlobals(redisUrl?: string) {
  g.__byokLimits?.redis?.disconnect();
  delete g.__byokLimits;
  delete g.__byokEnv;
  if (redisUrl) process.env.REDIS_URL = redisUrl;
  else delete process.env.REDIS_URL;
}

const { consume, humanizeSeconds, limiter, peek, refund, reset } = await import("@/lib/limits");

// Until ioredis is connected the memory insurance answers; wait so the test exercises Redis.
async function declare(name: string, opts: { points: number; durationSec: number }) {
  limiter(name, opts);
  const redis = g.__byokLimits?.redis;
  if (redis && redis.status !== "ready") await new Promise((r) => redis.once("ready", r));
}

for (const backend of ["memory", "redis"] as const) {
  describe(`limits (${backend})`, () => {
    beforeEach(() => resetGlobals(backend === "redis" ? "redis://127.0.0.1:6379" : undefined));
    afterAll(() => resetGlobals());

    it("allows `points` per window, then refuses with a retry delay", async () => {
      const name = `t-${randomUUID()}`;
      await declare(name, { points: 3, durationSec: 60 });
      const key = "k";
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await consume(name, key));
      expect(results.slice(0, 3).map((r) => r.ok)).toEqual([true, true, true]);
      const last = results[3];
      expect(last?.ok).toBe(false);
      if (last && !last.ok) {
        expect(last.retryAfterSec).toBeGreaterThan(0);
        expect(last.retryAfterSec).toBeLessThanOrEqual(60);
      }
      // Other keys have their own budget.
      expect((await consume(name, "other")).ok).toBe(true);
      if (backend === "redis") {
        const probe = new Redis("redis://127.0.0.1:6379");
        try {
          expect(Number(await probe.get(`byok:rl:${name}:k`))).toBe(4);
        } finally {
          probe.disconnect();
        }
      }
    });

    it("peek does not spend; refund and reset give budget back", async () => {
      const name = `t-${randomUUID()}`;
      await declare(name, { points: 2, durationSec: 60 });
      expect(await peek(name, "k")).toEqual({ ok: true, remaining: 2 });
      await consume(name, "k");
      await consume(name, "k");
      expect((await peek(name, "k")).ok).toBe(false);
      await refund(name, "k");
      expect(await peek(name, "k")).toEqual({ ok: true, remaining: 1 });
      await consume(name, "k");
      await reset(name, "k");
      expect(await peek(name, "k")).toEqual({ ok: true, remaining: 2 });
    });

    it("counts parallel spends exactly", async () => {
      const name = `t-${randomUUID()}`;
      await declare(name, { points: 5, durationSec: 60 });
      const results = await Promise.all(Array.from({ length: 12 }, () => consume(name, "k")));
      expect(results.filter((r) => r.ok)).toHaveLength(5);
    });
  });
}

describe("limits", () => {
  it("refuses an undeclared limiter loudly", async () => {
    await expect(consume(`nope-${randomUUID()}`, "k")).rejects.toThrow(/not declared/);
  });
  it("humanizes waits", () => {
    expect(humanizeSeconds(1)).toBe("1 second");
    expect(humanizeSeconds(59)).toBe("59 seconds");
    expect(humanizeSeconds(60)).toBe("1 minute");
    expect(humanizeSeconds(61)).toBe("2 minutes");
  });
});
