import { describe, expect, it } from "vitest";
import { serverConfig } from "./server-config.mjs";

const PG = "postgresql://postgres@127.0.0.1:5432/byok";

describe("serverConfig", () => {
  it("defaults: one process on :3000, no trusted proxy, 10 s grace", () => {
    expect(serverConfig({})).toMatchObject({
      port: 3000,
      hostname: undefined,
      workers: 1,
      hops: 0,
      graceMs: 10_000,
      embedded: true,
      warnings: [],
    });
  });

  it("refuses several workers on the embedded database, naming the way out", () => {
    expect(() => serverConfig({ WEB_CONCURRENCY: "2" })).toThrow(/embedded database.*DATABASE_URL/s);
  });

  it("refuses several workers without Redis unless the per-worker limits are accepted", () => {
    expect(() => serverConfig({ WEB_CONCURRENCY: "2", DATABASE_URL: PG })).toThrow(
      /REDIS_URL.*ALLOW_PER_WORKER_LIMITS/s,
    );
    const accepted = serverConfig({
      WEB_CONCURRENCY: "2",
      DATABASE_URL: PG,
      ALLOW_PER_WORKER_LIMITS: "true",
    });
    expect(accepted.workers).toBe(2);
    expect(accepted.warnings.join(" ")).toMatch(/2 times every budget/);
  });

  it("several workers with PostgreSQL and Redis", () => {
    const c = serverConfig({
      WEB_CONCURRENCY: "3",
      DATABASE_URL: PG,
      REDIS_URL: "redis://127.0.0.1:6379",
      HOSTNAME: "127.0.0.1",
      PORT: "8080",
      TRUSTED_PROXY_HOPS: "1",
      SHUTDOWN_GRACE_MS: "2500",
    });
    expect(c).toMatchObject({
      workers: 3,
      hostname: "127.0.0.1",
      port: 8080,
      hops: 1,
      graceMs: 2500,
      warnings: [],
    });
  });

  it("WEB_CONCURRENCY=auto is one worker per core", () => {
    const c = serverConfig({
      WEB_CONCURRENCY: "auto",
      DATABASE_URL: PG,
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    expect(c.workers).toBeGreaterThanOrEqual(1);
  });

  it("bad values name the variable", () => {
    expect(() => serverConfig({ WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY/);
    expect(() => serverConfig({ WEB_CONCURRENCY: "two" })).toThrow(/WEB_CONCURRENCY/);
    expect(() => serverConfig({ SHUTDOWN_GRACE_MS: "-5" })).toThrow(/SHUTDOWN_GRACE_MS/);
    expect(() => serverConfig({ PORT: "70000" })).toThrow(/PORT/);
  });
});
