import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";

// Real PostgreSQL database of our own, real Argon2, in-memory limits with a small budget.

const LIMIT = 3;
let drop: (() => Promise<void>) | undefined;

const g = globalThis as unknown as { __byokEnv?: unknown; __byokLimits?: unknown };
const mods = async () => ({
  ...(await import("@/lib/auth/credentials")),
  ...(await import("@/lib/auth/sign-up")),
  ...(await import("@/lib/auth/oauth")),
  ...(await import("@/lib/db")),
});

describePostgres("credentials, sign-up and OAuth linking", () => {
  let m: Awaited<ReturnType<typeof mods>>;

  const saved = { ...process.env };

  beforeAll(async () => {
    const tmp = await tempDatabase();
    drop = tmp.drop;
    await migrate({ databaseUrl: tmp.url, log: () => {} });
    process.env.DATABASE_URL = tmp.url;
    process.env.RATE_LIMIT_SIGNIN_PER_15_MIN = String(LIMIT);
    delete process.env.REDIS_URL;
    delete g.__byokEnv;
    delete g.__byokLimits;
    m = await mods();
  });

  afterAll(async () => {
    await m?.closeDb();
    await drop?.();
    for (const k of ["DATABASE_URL", "RATE_LIMIT_SIGNIN_PER_15_MIN", "REDIS_URL"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    delete g.__byokEnv;
    delete g.__byokLimits;
  });

  const email = () => `Ann.${randomUUID().slice(0, 8)}@Example.test`;
  const ip = () => `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  it("signs in with the right password, case-insensitively on email", async () => {
    const e = email();
    const user = await m.createUser({ email: e, password: "a long password", name: "Ann" });
    expect(user.email).toBe(e.toLowerCase());
    const res = await m.authenticate(e.toUpperCase(), "a long password", ip());
    expect(res).toEqual({ ok: true, user: { id: user.id, email: e.toLowerCase(), name: "Ann" } });
  });

  it("answers a wrong password and an unknown email alike", async () => {
    const e = email();
    await m.createUser({ email: e, password: "a long password" });
    expect(await m.authenticate(e, "wrong password", ip())).toEqual({ ok: false, reason: "invalid" });
    expect(await m.authenticate(email(), "wrong password", ip())).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a duplicate email with CONFLICT", async () => {
    const e = email();
    await m.createUser({ email: e, password: "a long password" });
    await expect(m.createUser({ email: e.toUpperCase(), password: "other password" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("slows a (email, IP) pair down after LIMIT failures, even for the right password, not the owner elsewhere", async () => {
    const e = email();
    await m.createUser({ email: e, password: "a long password" });
    const attacker = ip();
    for (let i = 0; i < LIMIT + 1; i++) {
      expect(await m.authenticate(e, `guess ${i}`, attacker)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await m.authenticate(e, "a long password", attacker)).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterSec: 1,
    });
    expect((await m.authenticate(e, "a long password", ip())).ok).toBe(true);
  });

  it("the owner signs in from their own address after 50 wrong guesses from other addresses", async () => {
    const e = email();
    await m.createUser({ email: e, password: "a long password" });
    const home = "198.51.100.77";
    // 50 real guesses (every one checked and refused as wrong) spread over 25 addresses…
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await m.authenticate(e, `guess ${i}`, `203.0.113.${i % 25}`));
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(50);
    // …and 50 more from a single address, which end up throttled.
    const hammer = "203.0.113.200";
    let throttled = 0;
    for (let i = 0; i < 50; i++) {
      const r = await m.authenticate(e, `again ${i}`, hammer);
      if (!r.ok && r.reason === "throttled") throttled++;
    }
    expect(throttled).toBeGreaterThan(0);
    expect((await m.authenticate(e, "a long password", home)).ok).toBe(true);
  });

  it("doubles a pair's wait per failure past the free ones, up to 15 minutes", () => {
    expect([3, 4, 5, 6, 7].map((f) => m.pairDelaySec(f, 3))).toEqual([0, 1, 2, 4, 8]);
    expect(m.pairDelaySec(0, 3)).toBe(0);
    expect(m.pairDelaySec(14, 3)).toBe(900);
    expect(m.pairDelaySec(10_000, 3)).toBe(900);
  });

  it("a success clears the pair's failures", async () => {
    const e = email();
    await m.createUser({ email: e, password: "a long password" });
    const addr = ip();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < LIMIT; i++) await m.authenticate(e, "nope", addr);
      expect((await m.authenticate(e, "a long password", addr)).ok).toBe(true);
    }
  });

  it("throttles one IP across many emails", async () => {
    const addr = ip();
    let throttled = 0;
    for (let i = 0; i < LIMIT * 5 + 1; i++) {
      const res = await m.authenticate(email(), "nope", addr);
      if (!res.ok && res.reason === "throttled") throttled++;
    }
    expect(throttled).toBe(1);
    expect((await m.authenticate(email(), "nope", ip())).ok).toBe(false);
  });

  it("links OAuth identities without letting an unverified email take over an account", async () => {
    const base = { type: "oauth", name: "Ann", image: null };
    const fresh = email();
    const created = await m.linkOAuthIdentity({
      ...base,
      provider: "github",
      providerAccountId: randomUUID(),
      email: fresh,
      emailVerified: false,
    });
    expect(created.ok).toBe(true);

    const taken = email();
    const owner = await m.createUser({ email: taken, password: "a long password" });
    const gh = {
      ...base,
      provider: "github",
      providerAccountId: randomUUID(),
      email: taken,
      emailVerified: false,
    };
    expect(await m.linkOAuthIdentity(gh)).toEqual({ ok: false, reason: "email-in-use" });

    const google = {
      ...base,
      provider: "google",
      providerAccountId: randomUUID(),
      email: taken,
      emailVerified: true,
    };
    expect(await m.linkOAuthIdentity(google)).toEqual({ ok: true, userId: owner.id });
    expect(await m.linkOAuthIdentity(google)).toEqual({ ok: true, userId: owner.id });
    expect(await m.userIdForAccount("google", google.providerAccountId)).toBe(owner.id);

    expect(
      await m.linkOAuthIdentity({
        ...base,
        provider: "github",
        providerAccountId: randomUUID(),
        email: null,
        emailVerified: false,
      }),
    ).toEqual({ ok: false, reason: "no-email" });
  });

  it("an OAuth-only user cannot sign in with a password", async () => {
    const e = email();
    await m.linkOAuthIdentity({
      type: "oauth",
      name: null,
      image: null,
      provider: "github",
      providerAccountId: randomUUID(),
      email: e,
      emailVerified: false,
    });
    expect(await m.authenticate(e, "any password at all", ip())).toEqual({ ok: false, reason: "invalid" });
  });
});
