import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { authenticate } from "@/lib/auth/credentials";
import { linkOAuthIdentity } from "@/lib/auth/oauth";
import { resetPassword } from "@/lib/operator/reset";
import { type Harness, startHarness } from "@/test/harness";
import { type SmtpSink, startSmtpSink } from "@/test/smtp-sink";
import type { AccountDeps } from "./deps";
import { requestPasswordReset } from "./forgot-password";
import { MAIL_LINKS_PER_PAIR } from "./mail-throttle";
import {
  confirmSignUpEmail,
  resendVerification,
  signUp,
  VERIFY_PATH,
  verificationLinkUsable,
} from "./sign-up";

vi.mock("server-only", () => ({}));

// Sign-up confirmation and "Forgot password?" against a real migrated database and a local SMTP
// sink. lib/auth's credential check and OAuth linking use the process-wide db(): pointed at the
// harness's database below, like the server would be.

let h: Harness;
let sink: SmtpSink;
let deps: AccountDeps;
const PASSWORD = "Velvet-Harbor-Quartz-82";
const g = globalThis as unknown as { __byokDb?: unknown; __byokLimits?: unknown; __byokEnv?: unknown };

beforeAll(async () => {
  h = await startHarness();
  sink = await startSmtpSink();
  deps = {
    db: h.handle.prisma,
    smtpUrl: sink.url,
    mailFrom: "BYOK Chat <no-reply@test.local>",
    appOrigin: "http://app.test",
  };
  g.__byokDb = h.handle;
  delete g.__byokLimits;
  // PGlite starts in a worker thread: on a busy machine its boot can outlast the 2 s a first
  // interactive transaction waits (Prisma's maxWait); a plain query waits for it.
  await h.handle.prisma.user.count();
});
afterAll(async () => {
  g.__byokDb = undefined;
  await sink?.close();
  await h?.close();
});

const email = () => `m${randomUUID().slice(0, 8)}@test.local`;
const ip = () => `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const linkIn = (path: string) =>
  new RegExp(`http://app\\.test${path.replace("?", "\\?")}\\?token=([A-Za-z0-9_-]{43})`);

async function signedUpAndMailed(addr: string, password = PASSWORD): Promise<string> {
  const from = sink.inbox.length;
  const res = await signUp({ email: addr, password }, deps);
  expect(res.status).toBe("check-inbox");
  if (res.status === "check-inbox") await res.delivery;
  return (await sink.waitFor(addr, linkIn(VERIFY_PATH), from)).match[1] as string;
}

describe("sign-up with SMTP_URL", () => {
  it("the account is refused until the mailed link is followed, once", async () => {
    const addr = email();
    const token = await signedUpAndMailed(addr.toUpperCase());
    expect(await authenticate(addr, PASSWORD, ip())).toEqual({ ok: false, reason: "unverified" });
    // A wrong password is told nothing about the account's state.
    expect(await authenticate(addr, "not the password", ip())).toEqual({ ok: false, reason: "invalid" });

    expect(await verificationLinkUsable(token, deps)).toBe(true);
    expect(await confirmSignUpEmail(token, deps)).toEqual({ ok: true, email: addr });
    expect(await confirmSignUpEmail(token, deps)).toEqual({ ok: false });
    expect(await verificationLinkUsable(token, deps)).toBe(false);
    expect(await authenticate(addr, PASSWORD, ip())).toMatchObject({ ok: true });
    const row = await h.handle.prisma.user.findUniqueOrThrow({ where: { email: addr } });
    expect(row.emailVerified).not.toBeNull();
    expect(row.verificationPending).toBe(false);
  });

  it("an expired link does nothing; a resent one works and voids the old one", async () => {
    const addr = email();
    const first = await signedUpAndMailed(addr);
    await h.handle.prisma.emailVerificationToken.updateMany({
      where: { user: { email: addr } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await confirmSignUpEmail(first, deps)).toEqual({ ok: false });

    const from = sink.inbox.length;
    const resent = await resendVerification(addr, ip(), deps);
    expect(resent.ok).toBe(true);
    if (resent.ok) await resent.delivery;
    const second = (await sink.waitFor(addr, linkIn(VERIFY_PATH), from)).match[1] as string;
    expect(second).not.toBe(first);
    expect(await confirmSignUpEmail(second, deps)).toMatchObject({ ok: true });
  });

  it("the same answer for a taken email; its owner is told by mail and their account is untouched", async () => {
    const addr = email();
    const token = await signedUpAndMailed(addr);
    await confirmSignUpEmail(token, deps);
    const before = await h.handle.prisma.user.findUniqueOrThrow({ where: { email: addr } });

    const from = sink.inbox.length;
    const again = await signUp({ email: addr, password: "Another-Long-Passphrase-9" }, deps);
    expect(again.status).toBe("check-inbox");
    if (again.status === "check-inbox") await again.delivery;
    const { body } = await sink.waitFor(addr, /already has one/, from);
    expect(body).toContain("http://app.test/forgot-password");
    expect(body).not.toMatch(/token=/);
    const after = await h.handle.prisma.user.findUniqueOrThrow({ where: { email: addr } });
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(await authenticate(addr, PASSWORD, ip())).toMatchObject({ ok: true });
  });

  it("a second sign-up of a pending address takes the newest password and mails a new link", async () => {
    const addr = email();
    const first = await signedUpAndMailed(addr, "First-Passphrase-Orchid-1");
    const second = await signedUpAndMailed(addr, "Second-Passphrase-Orchid-2");
    expect(await confirmSignUpEmail(first, deps)).toEqual({ ok: false });
    expect(await confirmSignUpEmail(second, deps)).toMatchObject({ ok: true });
    expect(await authenticate(addr, "First-Passphrase-Orchid-1", ip())).toMatchObject({ ok: false });
    expect(await authenticate(addr, "Second-Passphrase-Orchid-2", ip())).toMatchObject({ ok: true });
  });

  it("a provider that vouches for the address confirms a pending sign-up and drops its password", async () => {
    const addr = email();
    await signedUpAndMailed(addr, "Typed-By-Someone-Else-77");
    const linked = await linkOAuthIdentity({
      provider: "google",
      providerAccountId: randomUUID(),
      type: "oidc",
      email: addr,
      emailVerified: true,
      name: null,
      image: null,
    });
    expect(linked.ok).toBe(true);
    const row = await h.handle.prisma.user.findUniqueOrThrow({ where: { email: addr } });
    expect(row).toMatchObject({ verificationPending: false, passwordHash: null });
    expect(await authenticate(addr, "Typed-By-Someone-Else-77", ip())).toMatchObject({ ok: false });
  });

  it("without SMTP_URL an account is usable at once and nothing is mailed", async () => {
    const addr = email();
    const from = sink.inbox.length;
    expect(await signUp({ email: addr, password: PASSWORD }, { ...deps, smtpUrl: undefined })).toEqual({
      status: "created",
    });
    expect(await authenticate(addr, PASSWORD, ip())).toMatchObject({ ok: true });
    expect(sink.inbox.slice(from).filter((m) => m.to.includes(addr))).toEqual([]);
  });
});

describe("forgot password with SMTP_URL", () => {
  async function activeUser(): Promise<string> {
    const addr = email();
    await confirmSignUpEmail(await signedUpAndMailed(addr), deps);
    return addr;
  }

  it("mails a reset link that works once, ends the sessions and expires", async () => {
    const addr = await activeUser();
    const from = sink.inbox.length;
    const res = await requestPasswordReset(addr, ip(), deps);
    expect(res.ok).toBe(true);
    if (res.ok) await res.delivery;
    const token = (await sink.waitFor(addr, linkIn("/reset-password"), from)).match[1] as string;
    await resetPassword(token, "Brand-New-Passphrase-31", { db: h.handle.prisma });
    await expect(
      resetPassword(token, "Other-New-Passphrase-32", { db: h.handle.prisma }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await authenticate(addr, "Brand-New-Passphrase-31", ip())).toMatchObject({ ok: true });

    const from2 = sink.inbox.length;
    const again = await requestPasswordReset(addr, ip(), deps);
    if (again.ok) await again.delivery;
    const late = (await sink.waitFor(addr, linkIn("/reset-password"), from2)).match[1] as string;
    await h.handle.prisma.passwordResetToken.updateMany({
      where: { user: { email: addr }, usedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(
      resetPassword(late, "Too-Late-Passphrase-33", { db: h.handle.prisma }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("answers the same for an unknown address and mails nothing", async () => {
    const addr = email();
    const from = sink.inbox.length;
    const res = await requestPasswordReset(addr, ip(), deps);
    expect(res.ok).toBe(true);
    if (res.ok) await res.delivery;
    expect(sink.inbox.slice(from).filter((m) => m.to.includes(addr))).toEqual([]);
  });

  it(`is limited to ${MAIL_LINKS_PER_PAIR} per email and address; another address is not held up`, async () => {
    const addr = await activeUser();
    const here = ip();
    for (let i = 0; i < MAIL_LINKS_PER_PAIR; i++) {
      const r = await requestPasswordReset(addr, here, deps);
      expect(r.ok).toBe(true);
      if (r.ok) await r.delivery;
    }
    const refused = await requestPasswordReset(addr, here, deps);
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) expect(refused.retryAfterSec).toBeGreaterThan(0);
    // The same refusal for an address with no account: the limit tells nothing either.
    const unknown = email();
    for (let i = 0; i < MAIL_LINKS_PER_PAIR; i++) await requestPasswordReset(unknown, here, deps);
    expect(await requestPasswordReset(unknown, here, deps)).toMatchObject({ ok: false });
    expect((await requestPasswordReset(addr, ip(), deps)).ok).toBe(true);
  });

  it("a pending sign-up gets its confirmation link instead; a disabled account gets nothing", async () => {
    const pending = email();
    await signedUpAndMailed(pending);
    const from = sink.inbox.length;
    const res = await requestPasswordReset(pending, ip(), deps);
    if (res.ok) await res.delivery;
    const mailed = sink.inbox.slice(from).filter((m) => m.to.includes(pending));
    expect(mailed).toHaveLength(1);
    expect(mailed[0]?.body).toMatch(linkIn(VERIFY_PATH));

    const disabled = await activeUser();
    await h.handle.prisma.user.update({ where: { email: disabled }, data: { disabledAt: new Date() } });
    const from2 = sink.inbox.length;
    const r2 = await requestPasswordReset(disabled, ip(), deps);
    expect(r2.ok).toBe(true);
    if (r2.ok) await r2.delivery;
    expect(sink.inbox.slice(from2).filter((m) => m.to.includes(disabled))).toEqual([]);
  });
});
