import { afterEach, describe, expect, it, vi } from "vitest";
import { databaseReachable, REACHABLE_MEMO_MS, registerDatabaseProbe } from "./availability";

const unavailable = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

afterEach(() => vi.useRealTimers());

describe("databaseReachable", () => {
  it("shares one probe between concurrent callers and trusts a success for the memo window", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    let calls = 0;
    registerDatabaseProbe(async () => {
      calls++;
    });
    expect(await Promise.all([databaseReachable(), databaseReachable(), databaseReachable()])).toEqual([
      true,
      true,
      true,
    ]);
    expect(calls).toBe(1);
    vi.advanceTimersByTime(REACHABLE_MEMO_MS - 10);
    expect(await databaseReachable()).toBe(true);
    expect(calls).toBe(1);
    vi.advanceTimersByTime(20);
    expect(await databaseReachable()).toBe(true);
    expect(calls).toBe(2);
  });

  it("never remembers a failure: each call probes again until the database answers", async () => {
    let down = true;
    let calls = 0;
    registerDatabaseProbe(async () => {
      calls++;
      if (down) throw unavailable();
    });
    expect(await databaseReachable()).toBe(false);
    expect(await databaseReachable()).toBe(false);
    expect(calls).toBe(2);
    down = false;
    expect(await databaseReachable()).toBe(true);
    expect(calls).toBe(3);
  });

  it("treats an error that is not a connection failure as reachable (the page reports it)", async () => {
    registerDatabaseProbe(async () => {
      throw new Error("syntax error at or near SELEC");
    });
    expect(await databaseReachable()).toBe(true);
  });
});
