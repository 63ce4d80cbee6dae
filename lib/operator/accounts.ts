import { AppError } from "@/lib/errors";
import { hashToken, parseToken } from "@/lib/tokens";
import { lockAdmins, type OperatorDeps, operatorDeps, type Tx } from "./deps";
import { readInstanceSettings } from "./settings";

// Every account is created here, by the sign-up form and by a first OAuth sign-in alike, so the
// registration mode and the first-admin rule hold the same way for both.

export const REGISTRATION_CLOSED_MESSAGE =
  "Registration is closed on this instance. Ask its operator for an invite.";
export const INVITE_REQUIRED_MESSAGE =
  "Registration on this instance is by invitation. Use the invite link you were sent.";
export const INVITE_INVALID_MESSAGE =
  "This invite link is not valid: it was used already, has expired or does not exist.";

export type NewAccount = {
  email: string;
  name?: string | null;
  image?: string | null;
  passwordHash?: string | null;
  emailVerified?: Date | null;
  /** Signed up with SMTP_URL set: sign-in waits for the mailed link (lib/account/sign-up.ts). */
  verificationPending?: boolean;
  /** A first OAuth sign-in: the identity to link. */
  account?: { provider: string; providerAccountId: string; type: string };
};

export type CreatedAccount = { id: string; email: string; name: string | null; isAdmin: boolean };

/** Whether any admin exists (the sign-up page says the first account becomes admin when not). */
export async function adminExists({ db: client }: OperatorDeps = operatorDeps()): Promise<boolean> {
  return (await client.user.count({ where: { isAdmin: true } })) > 0;
}

/** The invite row a token names, if it can still be used in `mode`. */
async function usableInvite(tx: Tx, rawToken: string | null | undefined, mode: "invite" | "closed") {
  const token = parseToken(rawToken);
  if (!token) return null;
  const invite = await tx.invite.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!invite || invite.usedAt || invite.expiresAt <= new Date()) return null;
  // While registration is closed only an invite made from the shell (the operator) opens it.
  if (mode === "closed" && invite.createdById !== null) return null;
  return invite;
}

/**
 * Creates an account if the registration mode lets it in. Serialised with every other change to
 * who is admin (an advisory transaction lock), so of two simultaneous first sign-ups exactly one
 * becomes admin. Throws AppError FORBIDDEN when registration refuses; a taken email surfaces as
 * Prisma's P2002, as before.
 */
export async function createAccount(
  input: NewAccount,
  opts: { invite?: string | null } = {},
  { db: client }: OperatorDeps = operatorDeps(),
): Promise<CreatedAccount> {
  return client.$transaction(async (tx) => {
    await lockAdmins(tx);
    const { registration } = await readInstanceSettings({ db: tx });
    const invite = registration === "open" ? null : await usableInvite(tx, opts.invite, registration);
    if (registration !== "open" && !invite) {
      if (opts.invite) throw new AppError("FORBIDDEN", INVITE_INVALID_MESSAGE);
      throw new AppError(
        "FORBIDDEN",
        registration === "closed" ? REGISTRATION_CLOSED_MESSAGE : INVITE_REQUIRED_MESSAGE,
      );
    }
    const firstAdmin = (await tx.user.count({ where: { isAdmin: true } })) === 0;
    const user = await tx.user.create({
      data: {
        email: input.email,
        name: input.name ?? null,
        image: input.image ?? null,
        passwordHash: input.passwordHash ?? null,
        emailVerified: input.emailVerified ?? null,
        verificationPending: input.verificationPending ?? false,
        isAdmin: firstAdmin,
        ...(input.account ? { accounts: { create: input.account } } : {}),
      },
      select: { id: true, email: true, name: true, isAdmin: true },
    });
    if (invite) {
      const used = await tx.invite.updateMany({
        where: { id: invite.id, usedAt: null },
        data: { usedAt: new Date(), usedById: user.id },
      });
      if (used.count !== 1) throw new AppError("FORBIDDEN", INVITE_INVALID_MESSAGE);
    }
    if (firstAdmin) {
      await tx.auditEvent.create({ data: { userId: user.id, action: "admin.first_admin" } });
    }
    return user;
  });
}

export const ACCOUNT_DISABLED_MESSAGE = "This account has been disabled by the operator of this instance.";

/** Whether the user exists and is not disabled: one primary-key lookup. */
export async function isActiveUser(
  userId: string,
  { db: client }: OperatorDeps = operatorDeps(),
): Promise<boolean> {
  const row = await client.user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  return !!row && row.disabledAt === null;
}

/**
 * Refuses a session whose user was disabled or deleted (AppError UNAUTHORIZED). Called by
 * requireUser/requireApiUser (lib/auth/index.ts) on every request; one primary-key lookup, so
 * a disable takes effect on the next request, on every instance.
 */
export async function assertActiveUser(
  userId: string,
  { db: client }: OperatorDeps = operatorDeps(),
): Promise<void> {
  const row = await client.user.findUnique({ where: { id: userId }, select: { disabledAt: true } });
  if (!row) throw new AppError("UNAUTHORIZED");
  if (row.disabledAt) throw new AppError("UNAUTHORIZED", ACCOUNT_DISABLED_MESSAGE);
}
