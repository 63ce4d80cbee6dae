import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";

// The server-side session check on a real PostgreSQL database of our own: rows are created by
// startSession and aged by moving the clock the functions are given.

const DAY = 24 * 60 * 60 * 1000;
const g = globalThis as unknown as { __byokEnv?: unknown };
const mods = async () => ({
  ...(await import("@/lib/auth/sessions")),
  ...(await import("@/lib/db")),
});

describe("deviceLabel", async () => {
  const { deviceLabel } = await import("@/lib/auth/sessions");
  it("names browser and system", () => {
    expect(deviceLabel("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe(
      "Firefox on Linux",
    );
    expect(
      deviceLabel(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari on iOS (mobile)");
    expect(deviceLabel(null)).toBe("Unknown device");
  });
});

describePostgres("server-side sessions", () => {
  let m: Awaited<ReturnType<typeof mods>>;
  let drop: (() => Promise<void>) | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    const tmp = await tempDatabase();
    drop = tmp.drop;
    await migrate({ databaseUrl: tmp.url, log: () => {} });
    process.env.DATABASE_URL = tmp.url;
    process.env.SESSION_IDLE_DAYS = "7";
    process.env.SESSION_MAX_DAYS = "30";
    delete g.__byokEnv;
    m = await mods();
  });

  afterAll(async () => {
    await m?.closeDb();
    await drop?.();
    for (const k of ["DATABASE_URL", "SESSION_IDLE_DAYS", "SESSION_MAX_DAYS"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    delete g.__byokEnv;
  });

  async function user() {
    return m.db().user.create({ data: { email: `${randomUUID()}@example.test` }, select: { id: true } });
  }
  const lastSeen = async (sid: string) =>
    (await m.db().session.findUniqueOrThrow({ where: { id: sid } })).lastSeenAt.getTime();

  it("a fresh session is live, for its own user only", async () => {
    const u = await user();
    const other = await user();
    const sid = await m.startSession(u.id, { userAgent: null, ip: "192.0.2.1" });
    expect(await m.liveSession(sid, u.id)).toBe(true);
    expect(await m.liveSession(sid, other.id)).toBe(false);
    expect(await m.liveSession(randomUUID(), u.id)).toBe(false);
  });

  it("an ended session is refused; ending is owner-scoped", async () => {
    const u = await user();
    const other = await user();
    const sid = await m.startSession(u.id, {});
    expect(await m.endSession(other.id, sid)).toBe(false);
    expect(await m.liveSession(sid, u.id)).toBe(true);
    expect(await m.endSession(u.id, sid)).toBe(true);
    expect(await m.liveSession(sid, u.id)).toBe(false);
  });

  it("idle past SESSION_IDLE_DAYS is refused; activity restarts the idle clock at most once a minute", async () => {
    const u = await user();
    const t0 = new Date("2030-01-01T00:00:00Z");
    const sid = await m.startSession(u.id, {}, t0);
    // 30 s later: live, lastSeenAt not rewritten.
    expect(await m.liveSession(sid, u.id, new Date(t0.getTime() + 30_000))).toBe(true);
    expect(await lastSeen(sid)).toBe(t0.getTime());
    // 6 days later: live, and lastSeenAt moves.
    const t6 = new Date(t0.getTime() + 6 * DAY);
    expect(await m.liveSession(sid, u.id, t6)).toBe(true);
    expect(await lastSeen(sid)).toBe(t6.getTime());
    // 12 days after t0 is only 6 idle days: live. Then 7 idle days + 1 s: refused, not extended.
    expect(await m.liveSession(sid, u.id, new Date(t0.getTime() + 12 * DAY))).toBe(true);
    const dead = new Date(t0.getTime() + 19 * DAY + 1000);
    expect(await m.liveSession(sid, u.id, dead)).toBe(false);
    expect(await lastSeen(sid)).toBe(t0.getTime() + 12 * DAY);
  });

  it("past SESSION_MAX_DAYS is refused however active", async () => {
    const u = await user();
    const t0 = new Date("2030-02-01T00:00:00Z");
    const sid = await m.startSession(u.id, {}, t0);
    for (let day = 5; day < 30; day += 5) {
      expect(await m.liveSession(sid, u.id, new Date(t0.getTime() + day * DAY))).toBe(true);
    }
    expect(await m.liveSession(sid, u.id, new Date(t0.getTime() + 30 * DAY + 1000))).toBe(false);
  });

  it("a deleted user's session is refused", async () => {
    const u = await user();
    const sid = await m.startSession(u.id, {});
    await m.db().user.delete({ where: { id: u.id } });
    expect(await m.liveSession(sid, u.id)).toBe(false);
  });

  it("lists live sessions and ends all but one, or all", async () => {
    const u = await user();
    const a = await m.startSession(u.id, {
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      ip: "192.0.2.7",
    });
    const b = await m.startSession(u.id, {});
    const c = await m.startSession(u.id, {});
    await m.endSession(u.id, c);
    const list = await m.listSessions(u.id);
    expect(list.map((s) => s.id).sort()).toEqual([a, b].sort());
    expect(list.find((s) => s.id === a)).toMatchObject({ device: "Firefox on Linux", ip: "192.0.2.7" });
    expect(await m.endOtherSessions(u.id, a)).toBe(1);
    expect(await m.liveSession(a, u.id)).toBe(true);
    expect(await m.liveSession(b, u.id)).toBe(false);
    expect(await m.endOtherSessions(u.id, null)).toBe(1);
    expect(await m.liveSession(a, u.id)).toBe(false);
    expect(await m.listSessions(u.id)).toEqual([]);
  });
});
