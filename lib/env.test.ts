import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("parseEnv: server entry settings", () => {
  it("defaults", () => {
    const e = parseEnv({});
    expect(e.TRUSTED_PROXY_HOPS).toBe(0);
    expect(e.SHUTDOWN_GRACE_MS).toBe(10_000);
    expect(e.WEB_CONCURRENCY).toBeUndefined();
    expect(e.ALLOW_PER_WORKER_LIMITS).toBe(false);
  });

  it("accepts numbers and auto", () => {
    const e = parseEnv({
      TRUSTED_PROXY_HOPS: "2",
      SHUTDOWN_GRACE_MS: "0",
      WEB_CONCURRENCY: "4",
      HOSTNAME: "127.0.0.1",
    });
    expect(e).toMatchObject({
      TRUSTED_PROXY_HOPS: 2,
      SHUTDOWN_GRACE_MS: 0,
      WEB_CONCURRENCY: 4,
      HOSTNAME: "127.0.0.1",
    });
    expect(parseEnv({ WEB_CONCURRENCY: "auto" }).WEB_CONCURRENCY).toBe("auto");
  });

  it.each([
    ["TRUSTED_PROXY_HOPS", "-1"],
    ["TRUSTED_PROXY_HOPS", "one"],
    ["SHUTDOWN_GRACE_MS", "1.5"],
    ["WEB_CONCURRENCY", "0"],
    ["WEB_CONCURRENCY", "many"],
  ])("refuses %s=%s, naming it", (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(name);
  });
});
