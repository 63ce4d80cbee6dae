import type { Prisma, PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { cleanContext, type RequestContext } from "@/lib/keys/schemas";
import { hashToken, newToken } from "@/lib/tokens";
import { type AccountDeps, accountDeps } from "./deps";
import { loadAccount, verifyIdentity } from "./identity";
import { sendMail } from "./mail";
import type { Identity } from "./schemas";

// Name and email. An email change needs the password (or, for an OAuth-only account, the email
// typed out). Without SMTP_URL it applies at once; with it, only when the single-use link mailed
// to the new address is followed by the same signed-in user before it expires.

export const EMAIL_TOKEN_TTL_MS = 60 * 60 * 1000;
export const CONFIRM_EMAIL_PATH = "/settings/profile/confirm-email";

export type Profile = {
  email: string;
  name: string | null;
  /** False for an account made through OAuth: it confirms with its email instead of a password. */
  hasPassword: boolean;
  /** The address a mailed link waits for, if any. */
  pendingEmail: string | null;
};

export type EmailChangeResult = { status: "changed" | "pending"; email: string };

type AuditDb = Prisma.TransactionClient | PrismaClient;

function audit(tx: AuditDb, userId: string, action: string, ctx: RequestContext | undefined) {
  const { ip, userAgent } = cleanContext(ctx);
  return tx.auditEvent.create({ data: { userId, action, ip, userAgent } });
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "P2002";

const emailTaken = () =>
  new AppError("CONFLICT", "That email cannot be used for this account.", {
    issues: [{ path: "newEmail", message: "That email cannot be used for this account." }],
  });

/** The signed-in user's profile; UNAUTHORIZED when the account no longer exists. */
export async function getProfile(userId: string, deps: AccountDeps = accountDeps()): Promise<Profile> {
  const row = await deps.db.user.findUnique({
    where: { id: userId },
    select: {
      email: true,
      name: true,
      passwordHash: true,
      emailChangeTokens: {
        where: { usedAt: null, expiresAt: { gt: new Date() } },
        orderBy: { createdAt: "desc" },
        take: 1,
        select: { newEmail: true },
      },
    },
  });
  if (!row) throw new AppError("UNAUTHORIZED");
  return {
    email: row.email,
    name: row.name,
    hasPassword: row.passwordHash !== null,
    pendingEmail: row.emailChangeTokens[0]?.newEmail ?? null,
  };
}

/** Name and email for the app shell (they change after sign-in; the session keeps the old ones). */
export function accountHeader(
  userId: string,
  deps: Pick<AccountDeps, "db"> = accountDeps(),
): Promise<{ email: string; name: string | null } | null> {
  return deps.db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
}

/** Sets the display name (already validated: trimmed, ≤ 100 characters); "" clears it. */
export async function updateDisplayName(
  userId: string,
  name: string,
  deps: AccountDeps = accountDeps(),
): Promise<string | null> {
  const value = name === "" ? null : name;
  const res = await deps.db.user.updateMany({ where: { id: userId }, data: { name: value } });
  if (res.count === 0) throw new AppError("UNAUTHORIZED");
  return value;
}

export async function requestEmailChange(
  userId: string,
  input: Identity & { newEmail: string },
  ctx?: RequestContext,
  deps: AccountDeps = accountDeps(),
): Promise<EmailChangeResult> {
  const account = await loadAccount(deps.db, userId);
  if (input.newEmail === account.email) {
    throw new AppError("VALIDATION_FAILED", "That is already your email.", {
      issues: [{ path: "newEmail", message: "That is already your email." }],
    });
  }
  await verifyIdentity(account, input);

  if (!deps.smtpUrl) {
    try {
      await deps.db.$transaction([
        // Nobody proved they read mail at the new address: it is not verified.
        deps.db.user.update({ where: { id: userId }, data: { email: input.newEmail, emailVerified: null } }),
        deps.db.emailChangeToken.deleteMany({ where: { userId } }),
        audit(deps.db, userId, "account.email_changed", ctx),
      ]);
    } catch (e) {
      if (isUniqueViolation(e)) throw emailTaken();
      throw e;
    }
    return { status: "changed", email: input.newEmail };
  }

  // Only the hash is stored; a newer link replaces older ones.
  const { token, hash } = newToken();
  await deps.db.$transaction([
    deps.db.emailChangeToken.deleteMany({ where: { userId } }),
    deps.db.emailChangeToken.create({
      data: {
        userId,
        newEmail: input.newEmail,
        tokenHash: hash,
        expiresAt: new Date(Date.now() + EMAIL_TOKEN_TTL_MS),
      },
    }),
    audit(deps.db, userId, "account.email_change_requested", ctx),
  ]);
  const link = `${deps.appOrigin}${CONFIRM_EMAIL_PATH}?token=${token}`;
  await sendMail(deps.smtpUrl, {
    from: deps.mailFrom,
    to: input.newEmail,
    subject: "Confirm your new email for BYOK Chat",
    text: [
      "Someone signed in to BYOK Chat asked to use this address for their account.",
      "",
      `To confirm, open this link while signed in (it works once, for ${EMAIL_TOKEN_TTL_MS / 60_000} minutes):`,
      link,
      "",
      "If this was not you, ignore this mail: nothing changes.",
    ].join("\n"),
  });
  return { status: "pending", email: input.newEmail };
}

/** Applies a mailed email change: the link's token, once, before it expires, by its own user. */
export async function confirmEmailChange(
  userId: string,
  token: string,
  ctx?: RequestContext,
  deps: AccountDeps = accountDeps(),
): Promise<EmailChangeResult> {
  const invalid = () => new AppError("NOT_FOUND", "This link is not valid, was already used or has expired.");
  const row = await deps.db.emailChangeToken.findUnique({ where: { tokenHash: hashToken(token) } });
  // Another user's token answers exactly like an unknown one.
  if (!row || row.userId !== userId || row.usedAt || row.expiresAt <= new Date()) throw invalid();
  try {
    await deps.db.$transaction(async (tx) => {
      // Single use even under concurrent clicks: only one update finds it unused.
      const used = await tx.emailChangeToken.updateMany({
        where: { id: row.id, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (used.count !== 1) throw invalid();
      await tx.user.update({
        where: { id: userId },
        data: { email: row.newEmail, emailVerified: new Date() },
      });
      await audit(tx, userId, "account.email_changed", ctx);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw emailTaken();
    throw e;
  }
  return { status: "changed", email: row.newEmail };
}
