import { newToken } from "@/lib/tokens";
import type { Tx } from "./deps";

// Issuing a reset link's token, apart from using one (reset.ts): the shell's `npm run admin`
// imports this, and must not pull in the password policy (its dictionaries are server-only).

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
