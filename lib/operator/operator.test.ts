import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { generateKeyringSpec, parseKeyring } from "@/lib/crypto";
import type { DbHandle } from "@/lib/db";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";

// Real PostgreSQL databases of our own (real concurrency for the advisory lock), real Argon2.

const g = globalThis as unknown as { __byokEnv?: unknown; __byokDb?: unknown; __byokLimits?: unknown };
const mods = async () => ({
  ...(await import("@/lib/operator/accounts")),
  ...(await import("@/lib/operator/admin")),
  ...(await import("@/lib/operator/policy")),
  ...(await import("@/lib/operator/reset")),
  ...(await import("@/lib/operator/commands")),
  ...(await import("@/lib/keys/resolve")),
  ...(await import("@/lib/auth/config")),
  ...(await import("@/lib/auth/credentials")),
  ...(await import("@/lib/db")),
});

const saved = { ...process.env };
const drops: (() => Promise<void>)[] = [];
const handles: DbHandle[] = [];
let m: Awaited<ReturnType<typeof mods>>;

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  delete g.__byokEnv;
}

/** A fresh, migrated, empty database; also made the process's db() (for the auth callbacks). */
async function fresh() {
  const tmp = await tempDatabase();
  drops.push(tmp.drop);
  await migrate({ databaseUrl: tmp.url, log: () => {} });
  await m.closeDb();
  setEnv({ DATABASE_URL: tmp.url });
  const handle = m.createDbClient({ databaseUrl: tmp.url });
  handles.push(handle);
  return { db: handle.prisma };
}

const email = () => `u.${randomUUID().slice(0, 8)}@example.test`;

describePostgres("operator: first admin, last admin, registration, system-key policy, resets", () => {
  beforeAll(async () => {
    setEnv({ REDIS_URL: undefined, REGISTRATION: undefined, AUTH_SECRET: "x".repeat(40) });
    delete g.__byokLimits;
    m = await mods();
  });

  afterEach(() => setEnv({ REGISTRATION: undefined }));

  afterAll(async () => {
    for (const h of handles) await h.close();
    await m?.closeDb();
    for (const d of drops) await d();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    delete g.__byokEnv;
    delete g.__byokLimits;
  });

  it("of ten simultaneous first sign-ups exactly one becomes admin", async () => {
    const deps = await fresh();
    expect(await m.adminExists(deps)).toBe(false);
    const made = await Promise.all(
      Array.from({ length: 10 }, () => m.createAccount({ email: email() }, {}, deps)),
    );
    expect(made.filter((u) => u.isAdmin)).toHaveLength(1);
    expect(await deps.db.user.count({ where: { isAdmin: true } })).toBe(1);
    expect(await m.adminExists(deps)).toBe(true);
    // And every later account is not.
    expect((await m.createAccount({ email: email() }, {}, deps)).isAdmin).toBe(false);
  });

  it("never leaves the instance without an active admin; non-admins are refused as NOT_FOUND", async () => {
    const deps = await fresh();
    const a = await m.createAccount({ email: email() }, {}, deps);
    const b = await m.createAccount({ email: email() }, {}, deps);
    const shell = { kind: "shell" } as const;
    const asA = { kind: "admin", userId: a.id } as const;
    const asB = { kind: "admin", userId: b.id } as const;
    await expect(m.setAdmin(shell, { email: a.email }, false, deps)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(m.setDisabled(asA, { id: a.id }, true, deps)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(m.deleteAccount(shell, { id: a.id }, deps)).rejects.toMatchObject({ code: "CONFLICT" });
    // b is no admin: every admin action is refused for them.
    await expect(m.setAdmin(asB, { id: b.id }, true, deps)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(m.createInvite(asB, deps)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(m.createResetLink(asB, { id: a.id }, deps)).rejects.toMatchObject({ code: "NOT_FOUND" });

    await m.setAdmin(asA, { id: b.id }, true, deps);
    // Two admins revoking each other at once: exactly one revocation wins.
    const both = await Promise.allSettled([
      m.setAdmin(asA, { id: b.id }, false, deps),
      m.setAdmin(asB, { id: a.id }, false, deps),
    ]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await deps.db.user.count({ where: { isAdmin: true } })).toBe(1);
    const audit = await deps.db.auditEvent.findMany({ where: { action: { startsWith: "admin." } } });
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(["admin.first_admin", "admin.granted", "admin.revoked"]),
    );
  });

  it("registration: closed and invite refuse without a usable invite; a saved mode wins over REGISTRATION", async () => {
    const deps = await fresh();
    setEnv({ REGISTRATION: "closed" });
    await expect(m.createAccount({ email: email() }, {}, deps)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A shell invite opens a closed instance (the operator's first account)...
    const shellInvite = new URL((await m.createInvite({ kind: "shell" }, deps)).url).searchParams.get(
      "invite",
    );
    const admin = await m.createAccount({ email: email() }, { invite: shellInvite }, deps);
    expect(admin.isAdmin).toBe(true);
    // ...once.
    await expect(m.createAccount({ email: email() }, { invite: shellInvite }, deps)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const asAdmin = { kind: "admin", userId: admin.id } as const;
    const adminInvite = () =>
      m.createInvite(asAdmin, deps).then((r) => new URL(r.url).searchParams.get("invite"));
    // An admin's invite does not open a closed instance.
    await expect(
      m.createAccount({ email: email() }, { invite: await adminInvite() }, deps),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const settings = {
      systemKeyAccess: "all",
      systemKeyDailyRequests: null,
      systemKeyDailyTokens: null,
    } as const;
    await m.saveSettings(asAdmin, { registration: "invite", ...settings }, deps);
    await expect(m.createAccount({ email: email() }, {}, deps)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const token = await adminInvite();
    expect((await m.createAccount({ email: email() }, { invite: token }, deps)).isAdmin).toBe(false);
    await expect(m.createAccount({ email: email() }, { invite: token }, deps)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Expired.
    const late = await adminInvite();
    await deps.db.invite.updateMany({
      where: { usedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(m.createAccount({ email: email() }, { invite: late }, deps)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // The saved mode wins over the environment.
    await m.saveSettings(asAdmin, { registration: "open", ...settings }, deps);
    expect((await m.createAccount({ email: email() }, {}, deps)).isAdmin).toBe(false);
  });

  it("a first OAuth sign-in (next-auth's signIn callback) is a sign-up under the same mode", async () => {
    const deps = await fresh();
    const signIn = m.fullAuthConfig().callbacks?.signIn;
    if (!signIn) throw new Error("no signIn callback");
    const attempt = (id: string, mail: string) =>
      signIn({
        account: { provider: "github", type: "oauth", providerAccountId: id },
        user: { email: mail, name: "Gh" },
        profile: {},
      } as unknown as Parameters<typeof signIn>[0]);
    setEnv({ REGISTRATION: "closed", DATABASE_URL: process.env.DATABASE_URL });
    const closedMail = email();
    expect(await attempt("101", closedMail)).toBe("/sign-in?error=RegistrationClosed");
    expect(await deps.db.user.count({ where: { email: closedMail } })).toBe(0);
    setEnv({ REGISTRATION: "invite" });
    expect(await attempt("102", email())).toBe("/sign-in?error=RegistrationClosed");
    setEnv({ REGISTRATION: "open" });
    const openMail = email();
    expect(await attempt("103", openMail)).toBe(true);
    const user = await deps.db.user.findUniqueOrThrow({ where: { email: openMail } });
    expect(user.isAdmin).toBe(true); // the first account of this instance
    // Disabled: the OAuth sign-in and the password sign-in are refused, the session check too.
    const other = await m.createAccount({ email: email(), passwordHash: null }, {}, deps);
    await m.setDisabled({ kind: "admin", userId: user.id }, { id: other.id }, true, deps);
    await deps.db.account.create({
      data: { userId: other.id, provider: "github", type: "oauth", providerAccountId: "104" },
    });
    expect(await attempt("104", other.email)).toBe("/sign-in?error=AccountDisabled");
    await expect(m.assertActiveUser(other.id, deps)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(m.assertActiveUser(user.id, deps)).resolves.toBeUndefined();
    await expect(m.assertActiveUser("no-such-user", deps)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("system keys: all / none / allow-list and a daily budget in UTC days, before the provider call", async () => {
    const deps = await fresh();
    const admin = await m.createAccount({ email: email() }, {}, deps);
    const user = await m.createAccount({ email: email() }, {}, deps);
    const asAdmin = { kind: "admin", userId: admin.id } as const;
    const vault = {
      db: deps.db,
      keyring: parseKeyring(generateKeyringSpec()),
      systemKey: () => "sk-operator",
      allowPrivateBaseUrls: false,
    };
    const save = (s: Partial<Parameters<typeof m.saveSettings>[1]>) =>
      m.saveSettings(
        asAdmin,
        {
          registration: "open",
          systemKeyAccess: "all",
          systemKeyDailyRequests: null,
          systemKeyDailyTokens: null,
          ...s,
        },
        deps,
      );
    expect((await m.resolveKey(user.id, "openai", { row: null }, vault)).source).toBe("system");
    await save({ systemKeyAccess: "none" });
    await expect(m.resolveKey(user.id, "openai", { row: null }, vault)).rejects.toMatchObject({
      code: "API_KEY_REQUIRED",
    });
    await save({ systemKeyAccess: "allow-list" });
    await expect(m.checkSystemKeyPolicy(user.id, "openai", deps)).rejects.toMatchObject({
      code: "API_KEY_REQUIRED",
    });
    await m.setSystemKeyAllowed(asAdmin, { id: user.id }, true, deps);
    await expect(m.checkSystemKeyPolicy(user.id, "openai", deps)).resolves.toBeUndefined();

    await save({ systemKeyDailyRequests: 2 });
    const now = new Date("2026-11-27T10:00:00Z");
    const usage = (keySource: string, createdAt: Date, tokens = 10) =>
      deps.db.usageEvent.create({
        data: { userId: user.id, provider: "openai", keySource, model: "m", inputTokens: tokens, createdAt },
      });
    await usage("system", new Date("2026-11-26T23:59:00Z")); // yesterday (UTC): not counted
    await usage("personal", new Date("2026-11-27T01:00:00Z")); // own key: not counted
    await usage("system", new Date("2026-11-27T00:00:00Z"));
    await expect(m.checkSystemKeyPolicy(user.id, "openai", deps, now)).resolves.toBeUndefined();
    await usage("system", new Date("2026-11-27T09:00:00Z"));
    const err = await m.checkSystemKeyPolicy(user.id, "openai", deps, now).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BUDGET_EXCEEDED", status: 429, retryAfter: 14 * 3600 });
    expect((err as Error).message).toMatch(/set by the operator/);
    // Tokens instead of requests.
    await save({ systemKeyDailyTokens: 20 }); // two system requests today, 10 tokens each
    await expect(m.checkSystemKeyPolicy(user.id, "openai", deps, now)).rejects.toMatchObject({
      code: "BUDGET_EXCEEDED",
    });
    await save({ systemKeyDailyTokens: 21 });
    await expect(m.checkSystemKeyPolicy(user.id, "openai", deps, now)).resolves.toBeUndefined();
  });

  it("a reset link sets a new password once, and not after it expires", async () => {
    const deps = await fresh();
    setEnv({ DATABASE_URL: process.env.DATABASE_URL });
    const mail = email();
    await m.createAccount({ email: mail }, {}, deps);
    const out = await m.runAdminCommand({ cmd: "reset-link", email: mail }, deps);
    if (!out.ok) throw new Error(out.error);
    const token = new URL(out.message.split("\n")[1] ?? "").searchParams.get("token");
    expect(await m.resetLinkUsable(token, deps)).toBe(true);
    await m.resetPassword(token, "a brand new password", deps);
    expect(await m.resetLinkUsable(token, deps)).toBe(false);
    await expect(m.resetPassword(token, "another new password", deps)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const res = await m.authenticate(mail, "a brand new password", "10.9.9.9");
    expect(res.ok).toBe(true);

    const again = await m.createResetLink({ kind: "shell" }, { email: mail }, deps);
    const t2 = new URL(again.url).searchParams.get("token");
    await deps.db.passwordResetToken.updateMany({
      where: { usedAt: null },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    await expect(m.resetPassword(t2, "yet another password", deps)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
