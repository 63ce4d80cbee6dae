import type { AuthUser } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

const EMAIL_TAKEN_MESSAGE = "An account with this email already exists. Sign in instead.";

export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "P2002";
}

/** Creates a password account. Duplicate email → AppError CONFLICT (after the same hashing work). */
export async function createUser(input: {
  email: string;
  password: string;
  name?: string;
}): Promise<AuthUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().user.create({
      data: { email: normalizeEmail(input.email), name: input.name ?? null, passwordHash },
      select: { id: true, email: true, name: true },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("CONFLICT", EMAIL_TAKEN_MESSAGE);
    throw e;
  }
}
