import { hashPassword } from "@/lib/auth/password";
import { passwordProblem } from "@/lib/auth/password-policy";
import { AppError } from "@/lib/errors";
import { hashToken, parseToken } from "@/lib/tokens";
import { type OperatorDeps, operatorDeps } from "./deps";
import { RESET_INVALID_MESSAGE } from "./reset-token";

export { issueResetToken, RESET_INVALID_MESSAGE, RESET_PATH, RESET_TTL_MS } from "./reset-token";

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
