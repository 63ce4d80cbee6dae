import { hashPassword } from "@/lib/auth/password";
import { passwordProblem } from "@/lib/auth/password-policy";
import { AppError } from "@/lib/errors";
import { hashToken, newToken, parseToken } from "@/lib/tokens";
import { type OperatorDeps, operatorDeps, type Tx } from "./deps";

export const RESET_TTL_MS = 60 * 60 * 1000;
export const RESET_PATH = "/reset-password";

export const RESET_INVALID_MESSAGE =
  "This reset link is not valid: it was used already, has expired or does not exist.";

/**
 * A new single-use reset link's token for the user (an admin's, the shell's or a mailed one);
 * earlier unused links for the account stop working. The caller builds the URL.
 */
export async function issueResetToken(tx: Tx, userId: string, now = new Date()) {
  const { token, hash } = newToken();
  const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
  await tx.passwordResetToken.deleteMany({ where: { userId, usedAt: null } });
  await tx.passwordResetToken.create({ data: { userId, tokenHash: hash, expiresAt } });
  return { token, expiresAt };
}

/** Whether a reset link can still be used (the page shows the form only then). */
export async function resetLinkUsable(rawToken: unknown, { db: client }: OperatorDeps = operatorDeps()) {
  const token = parseToken(rawToken);
  if (!token) return false;
  const row = await client.passwordResetToken.findUnique({ where: { tokenHash: hashToken(token) } });
  return !!row && !row.usedAt && row.expiresAt > new Date();
}

/**
 * Sets a new password through a reset link (the sign-up password rules, lib/auth/password-policy);
 * the link is spent and every session of the account ended in the same transaction.
 */
export async function resetPassword(
  rawToken: unknown,
  newPassword: string,
  { db: client }: OperatorDeps = operatorDeps(),
): Promise<{ email: string }> {
  const token = parseToken(rawToken);
  if (!token) throw new AppError("NOT_FOUND", RESET_INVALID_MESSAGE);
  const found = await client.passwordResetToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { user: { select: { email: true, name: true } } },
  });
  if (!found) throw new AppError("NOT_FOUND", RESET_INVALID_MESSAGE);
  const problem = passwordProblem(newPassword, found.user);
  if (problem)
    throw new AppError("VALIDATION_FAILED", problem, { issues: [{ path: "password", message: problem }] });
  const passwordHash = await hashPassword(newPassword);
  return client.$transaction(async (tx) => {
    const now = new Date();
    const row = await tx.passwordResetToken.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!row || row.usedAt || row.expiresAt <= now) throw new AppError("NOT_FOUND", RESET_INVALID_MESSAGE);
    const spent = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: now },
    });
    if (spent.count !== 1) throw new AppError("NOT_FOUND", RESET_INVALID_MESSAGE);
    const user = await tx.user.update({
      where: { id: row.userId },
      data: { passwordHash },
      select: { id: true, email: true },
    });
    await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    await tx.auditEvent.create({ data: { userId: user.id, action: "account.password_reset" } });
    return { email: user.email };
  });
}
