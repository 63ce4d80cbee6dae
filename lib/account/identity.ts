import { verifyPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { consume, limiter, reset } from "@/lib/limits";
import type { Identity } from "./schemas";

// Re-authentication before an email change or a deletion. An account with a password proves it
// with the password; an account made through OAuth (no password hash) types its email instead.
// Failed attempts are limited per user, so a borrowed session cannot be used to guess the password.

const REAUTH_POINTS = 10;
const REAUTH_WINDOW_SEC = 15 * 60;

export type AccountRow = { id: string; email: string; name: string | null; passwordHash: string | null };

/** The account, or UNAUTHORIZED when the session's user no longer exists. */
export async function loadAccount(db: PrismaClient, userId: string): Promise<AccountRow> {
  const row = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  if (!row) throw new AppError("UNAUTHORIZED");
  return row;
}

/** Throws VALIDATION_FAILED (with the field to fix) or RATE_LIMITED unless `proof` matches. */
export async function verifyIdentity(account: AccountRow, proof: Identity): Promise<void> {
  limiter("account-reauth", { points: REAUTH_POINTS, durationSec: REAUTH_WINDOW_SEC });
  const spent = await consume("account-reauth", account.id);
  if (!spent.ok) {
    throw new AppError("RATE_LIMITED", "Too many failed attempts. Try again later.", {
      retryAfter: spent.retryAfterSec,
    });
  }
  let ok: boolean;
  let field: "password" | "confirmEmail";
  if (account.passwordHash) {
    field = "password";
    ok = Boolean(proof.password) && (await verifyPassword(account.passwordHash, proof.password ?? ""));
  } else {
    field = "confirmEmail";
    ok = normalizeEmail(proof.confirmEmail ?? "") === account.email;
  }
  if (!ok) {
    const message =
      field === "password" ? "That password is not correct." : "Type your account's email exactly.";
    throw new AppError("VALIDATION_FAILED", message, { issues: [{ path: field, message }] });
  }
  await reset("account-reauth", account.id);
}
