import type { AuthUser } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createAccount } from "@/lib/operator/accounts";

const EMAIL_TAKEN_MESSAGE = "An account with this email already exists. Sign in instead.";

export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "P2002";
}

/**
 * Creates a password account if the registration mode lets it in (lib/operator/accounts.ts:
 * AppError FORBIDDEN otherwise; the first account of an instance becomes admin).
 * Duplicate email → AppError CONFLICT (after the same hashing work).
 */
export async function createUser(input: {
  email: string;
  password: string;
  name?: string;
  invite?: string | null;
}): Promise<AuthUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await createAccount(
      { email: normalizeEmail(input.email), name: input.name ?? null, passwordHash },
      { invite: input.invite },
      { db: db() },
    );
    return { id: user.id, email: user.email, name: user.name };
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("CONFLICT", EMAIL_TAKEN_MESSAGE);
    throw e;
  }
}
