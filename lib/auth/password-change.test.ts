import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";

// Password change on a real PostgreSQL database of our own, real Argon2, real sessions.

const g = globalThis as unknown as { __byokEnv?: unknown; __byokLimits?: unknown };
const mods = async () => ({
  ...(await import("@/lib/auth/password-change")),
  ...(await import("@/lib/auth/sessions")),
  ...(await import("@/lib/auth/sign-up")),
  ...(await import("@/lib/auth/credentials")),
  ...(await import("@/lib/db")),
});

describePostgres("changePassword", () => {
  let m: Awaited<ReturnType<typeof mods>>;
  let drop: (() => Promise<void>) | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    const tmp = await tempDatabase();
    drop = tmp.drop;
    await migrate({ databaseUrl: tmp.url, log: () => {} });
    process.env.DATABASE_URL = tmp.url;
    delete process.env.REDIS_URL;
    delete g.__byokEnv;
    delete g.__byokLimits;
    m = await mods();
  });

  afterAll(async () => {
    await m?.closeDb();
    await drop?.();
    for (const k of ["DATABASE_URL", "REDIS_URL"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    delete g.__byokEnv;
    delete g.__byokLimits;
  });

  const email = () => `pw-${randomUUID().slice(0, 8)}@example.test`;

  it("needs the current password, applies the rules, then ends every other session", async () => {
    const e = email();
    const u = await m.createUser({ email: e, password: "a long password" });
    const mine = await m.startSession(u.id, {});
    const other = await m.startSession(u.id, {});
    const me = { id: u.id, sid: mine };

    await expect(
      m.changePassword(me, { current: "wrong one", next: "fresh new passphrase" }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: "The current password is wrong.",
    });
    await expect(m.changePassword(me, { current: null, next: "fresh new passphrase" })).rejects.toMatchObject(
      {
        code: "VALIDATION_FAILED",
      },
    );
    await expect(
      m.changePassword(me, { current: "a long password", next: "12345678" }),
    ).rejects.toMatchObject({
      issues: [{ path: "next", message: expect.stringMatching(/too common/) }],
    });
    await expect(m.changePassword(me, { current: "a long password", next: `x${e}` })).rejects.toMatchObject({
      issues: [{ path: "next", message: expect.stringMatching(/email address or name/) }],
    });
    expect(await m.liveSession(other, u.id)).toBe(true);

    expect(await m.changePassword(me, { current: "a long password", next: "fresh new passphrase" })).toEqual({
      endedSessions: 1,
    });
    expect(await m.liveSession(mine, u.id)).toBe(true);
    expect(await m.liveSession(other, u.id)).toBe(false);
    expect((await m.authenticate(e, "a long password", "192.0.2.50")).ok).toBe(false);
    expect((await m.authenticate(e, "fresh new passphrase", "192.0.2.50")).ok).toBe(true);
  });

  it("an OAuth-only account sets a first password without a current one", async () => {
    const e = email();
    const u = await m.db().user.create({ data: { email: e }, select: { id: true } });
    expect(await m.hasPassword(u.id)).toBe(false);
    const sid = await m.startSession(u.id, {});
    expect(
      await m.changePassword({ id: u.id, sid }, { current: null, next: "first real passphrase" }),
    ).toEqual({
      endedSessions: 0,
    });
    expect(await m.hasPassword(u.id)).toBe(true);
    expect((await m.authenticate(e, "first real passphrase", "192.0.2.51")).ok).toBe(true);
  });
});
