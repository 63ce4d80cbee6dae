import "server-only";
import { hashPassword, PASSWORD_MAX, verifyPassword } from "@/lib/auth/password";
import { passwordProblem } from "@/lib/auth/password-policy";
import { endOtherSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { consume, limiter, refund } from "@/lib/limits";

// Changing (or, for an account made through OAuth, setting a first) password. The current
// password is required when there is one; wrong guesses spend the same per-15-minute budget as
// sign-in, per user, so a stolen session cannot be used to guess it. Every other session of the
// user ends; the one that made the change stays signed in.

export type PasswordChange = { current: string | null; next: string };

/** Whether the user has a password (false: OAuth-only, may set a first one without `current`). */
export async function hasPassword(userId: string): Promise<boolean> {
  const row = await db().user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  return Boolean(row?.passwordHash);
}

/** Returns how many other sessions were ended. */
export async function changePassword(
  user: { id: string; sid: string },
  input: PasswordChange,
): Promise<{ endedSessions: number }> {
  const row = await db().user.findUnique({
    where: { id: user.id },
    select: { email: true, name: true, passwordHash: true },
  });
  if (!row) throw new AppError("UNAUTHORIZED");
  if (input.next.length > PASSWORD_MAX) {
    throw new AppError("VALIDATION_FAILED", undefined, {
      issues: [{ path: "next", message: `Use at most ${PASSWORD_MAX} characters.` }],
    });
  }

  if (row.passwordHash) {
    limiter("password-change-user", { points: env().RATE_LIMIT_SIGNIN_PER_15_MIN, durationSec: 15 * 60 });
    const budget = await consume("password-change-user", user.id);
    if (!budget.ok) throw new AppError("RATE_LIMITED", undefined, { retryAfter: budget.retryAfterSec });
    if (!input.current || !(await verifyPassword(row.passwordHash, input.current))) {
      throw new AppError("VALIDATION_FAILED", "The current password is wrong.", {
        issues: [{ path: "current", message: "The current password is wrong." }],
      });
    }
    await refund("password-change-user", user.id);
  }

  const problem = passwordProblem(input.next, { email: row.email, name: row.name });
  if (problem) {
    throw new AppError("VALIDATION_FAILED", problem, { issues: [{ path: "next", message: problem }] });
  }
  if (row.passwordHash && input.current === input.next) {
    const message = "Choose a password different from the current one.";
    throw new AppError("VALIDATION_FAILED", message, { issues: [{ path: "next", message }] });
  }

  const passwordHash = await hashPassword(input.next);
  await db().user.update({ where: { id: user.id }, data: { passwordHash } });
  return { endedSessions: await endOtherSessions(user.id, user.sid) };
}
