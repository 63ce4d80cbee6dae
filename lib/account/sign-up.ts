import { hashPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import { isUniqueViolation } from "@/lib/auth/sign-up";
import { log } from "@/lib/log";
import { createAccount } from "@/lib/operator/accounts";
import type { Tx } from "@/lib/operator/deps";
import { hashToken, newToken, parseToken } from "@/lib/tokens";
import { type AccountDeps, accountDeps } from "./deps";
import { type Mail, sendMail } from "./mail";
import { throttleMailLink } from "./mail-throttle";

// Sign-up. Without SMTP_URL an account is usable at once (nobody can prove they read the mail).
// With it, the account waits (User.verificationPending) until the link mailed to its address is
// followed, and every outcome answers the same "check your inbox": a new address gets the link,
// an address with a pending sign-up gets a fresh link (for the password typed last), and an
// address with an account gets a note saying so with the way back in. The mail goes out in the
// background so the answer's timing does not tell the cases apart either.

export const VERIFY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const VERIFY_PATH = "/verify-email";
export const VERIFY_INVALID_MESSAGE =
  "This confirmation link is not valid: it was used already, has expired or does not exist.";

export type SignUpInput = { email: string; password: string; name?: string; invite?: string | null };
/** `delivery`: the background mail, for tests to await; callers ignore it. */
export type SignUpResult = { status: "created" } | { status: "check-inbox"; delivery: Promise<void> };

/** Mails in the background; a failure is logged (the visitor can ask again), never shown. */
export function deliverInBackground(
  deps: AccountDeps,
  mail: Omit<Mail, "from">,
  event: string,
): Promise<void> {
  const { smtpUrl } = deps;
  if (!smtpUrl) return Promise.resolve();
  return sendMail(smtpUrl, { ...mail, from: deps.mailFrom }).catch((e: unknown) => {
    log.error(event, { error: e instanceof Error ? e.name : "unknown" });
  });
}

/** A fresh sign-up link's token for the user; earlier unused ones stop working. */
export async function issueVerification(tx: Tx, userId: string): Promise<string> {
  const { token, hash } = newToken();
  await tx.emailVerificationToken.deleteMany({ where: { userId, usedAt: null } });
  await tx.emailVerificationToken.create({
    data: { userId, tokenHash: hash, expiresAt: new Date(Date.now() + VERIFY_TOKEN_TTL_MS) },
  });
  return token;
}

export function verificationMail(deps: AccountDeps, to: string, token: string): Omit<Mail, "from"> {
  return {
    to,
    subject: "Confirm your email for BYOK Chat",
    text: [
      "Someone created a BYOK Chat account with this address.",
      "",
      `To confirm it and start using the account, open this link (it works once, for ${VERIFY_TOKEN_TTL_MS / 3_600_000} hours):`,
      `${deps.appOrigin}${VERIFY_PATH}?token=${token}`,
      "",
      "If this was not you, ignore this mail: the account stays unusable.",
    ].join("\n"),
  };
}

function alreadyRegisteredMail(deps: AccountDeps, to: string): Omit<Mail, "from"> {
  return {
    to,
    subject: "You already have a BYOK Chat account",
    text: [
      "Someone tried to create a BYOK Chat account with this address, which already has one.",
      "",
      `If it was you, sign in: ${deps.appOrigin}/sign-in`,
      `Forgot your password? ${deps.appOrigin}/forgot-password`,
      "",
      "If this was not you, ignore this mail: nothing changed.",
    ].join("\n"),
  };
}

/**
 * Creates the account as the registration mode allows (AppError FORBIDDEN otherwise). A taken
 * email is not an error: without SMTP the caller's answer is the same as for a new one; with
 * SMTP the address's owner is told by mail.
 */
export async function signUp(input: SignUpInput, deps: AccountDeps = accountDeps()): Promise<SignUpResult> {
  const email = normalizeEmail(input.email);
  const mails = !!deps.smtpUrl;
  // Before the insert that may fail: a taken email costs the same work as a new one.
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await createAccount(
      { email, name: input.name ?? null, passwordHash, verificationPending: mails },
      { invite: input.invite },
      { db: deps.db },
    );
    if (!mails) return { status: "created" };
    const token = await deps.db.$transaction((tx) => issueVerification(tx, user.id));
    return {
      status: "check-inbox",
      delivery: deliverInBackground(deps, verificationMail(deps, email, token), "auth.verify_mail_failed"),
    };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  if (!mails) return { status: "created" };
  const token = await deps.db.$transaction(async (tx) => {
    // A sign-up still waiting for its link takes the newest password; an account in use is untouched.
    const pending = await tx.user.updateMany({
      where: { email, verificationPending: true },
      data: { passwordHash, ...(input.name ? { name: input.name } : {}) },
    });
    if (pending.count !== 1) return null;
    const user = await tx.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    return issueVerification(tx, user.id);
  });
  const mail = token ? verificationMail(deps, email, token) : alreadyRegisteredMail(deps, email);
  return { status: "check-inbox", delivery: deliverInBackground(deps, mail, "auth.verify_mail_failed") };
}

/** Sends a pending sign-up a fresh link; any other address gets nothing. Same answer either way. */
export async function resendVerification(
  rawEmail: string,
  ip: string | null,
  deps: AccountDeps = accountDeps(),
): Promise<{ ok: true; delivery: Promise<void> } | { ok: false; retryAfterSec: number }> {
  const email = normalizeEmail(rawEmail);
  const budget = await throttleMailLink("verify", email, ip);
  if (!budget.ok) return budget;
  if (!deps.smtpUrl) return { ok: true, delivery: Promise.resolve() };
  const token = await deps.db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { email },
      select: { id: true, verificationPending: true },
    });
    return user?.verificationPending ? issueVerification(tx, user.id) : null;
  });
  const delivery = token
    ? deliverInBackground(deps, verificationMail(deps, email, token), "auth.verify_mail_failed")
    : Promise.resolve();
  return { ok: true, delivery };
}

/** Follows a mailed sign-up link: once, before it expires. The account can sign in afterwards. */
export async function confirmSignUpEmail(
  rawToken: unknown,
  deps: Pick<AccountDeps, "db"> = accountDeps(),
): Promise<{ ok: true; email: string } | { ok: false }> {
  const token = parseToken(rawToken);
  if (!token) return { ok: false };
  return deps.db.$transaction(async (tx) => {
    const now = new Date();
    const row = await tx.emailVerificationToken.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!row || row.usedAt || row.expiresAt <= now) return { ok: false } as const;
    // Single use even under concurrent clicks: only one update finds it unused.
    const spent = await tx.emailVerificationToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: now },
    });
    if (spent.count !== 1) return { ok: false } as const;
    const user = await tx.user.update({
      where: { id: row.userId },
      data: { verificationPending: false, emailVerified: now },
      select: { email: true },
    });
    await tx.auditEvent.create({ data: { userId: row.userId, action: "account.email_verified" } });
    return { ok: true, email: user.email } as const;
  });
}

/** Whether a sign-up link can still be used (the page shows its button only then). */
export async function verificationLinkUsable(
  rawToken: unknown,
  deps: Pick<AccountDeps, "db"> = accountDeps(),
) {
  const token = parseToken(rawToken);
  if (!token) return false;
  const row = await deps.db.emailVerificationToken.findUnique({ where: { tokenHash: hashToken(token) } });
  return !!row && !row.usedAt && row.expiresAt > new Date();
}
