import { normalizeEmail } from "@/lib/auth/schemas";
import { isUniqueViolation } from "@/lib/auth/sign-up";
import { db } from "@/lib/db";
import { createAccount } from "@/lib/operator/accounts";

// No adapter package: OAuth identities are linked to users here. An identity is attached to an
// existing account with the same email only when the provider vouches for that email (Google's
// email_verified); otherwise whoever controls a GitHub account with that address could take
// over a password account.

export type OAuthIdentity = {
  provider: string;
  providerAccountId: string;
  type: string;
  email: string | null | undefined;
  emailVerified: boolean;
  name: string | null | undefined;
  image: string | null | undefined;
};

export type LinkResult = { ok: true; userId: string } | { ok: false; reason: "no-email" | "email-in-use" };

export async function userIdForAccount(provider: string, providerAccountId: string): Promise<string | null> {
  const account = await db().account.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    select: { userId: true },
  });
  return account?.userId ?? null;
}

/**
 * A first sign-in with an identity nobody linked is a sign-up: it goes through createAccount,
 * so the registration mode (and `invite`, the token of an invite link the visitor came with)
 * decides exactly as for the form; a refusal is AppError FORBIDDEN.
 */
export async function linkOAuthIdentity(
  id: OAuthIdentity,
  attempt = 0,
  invite: string | null = null,
): Promise<LinkResult> {
  const known = await userIdForAccount(id.provider, id.providerAccountId);
  if (known) return { ok: true, userId: known };
  if (!id.email) return { ok: false, reason: "no-email" };
  const email = normalizeEmail(id.email);
  const account = { provider: id.provider, providerAccountId: id.providerAccountId, type: id.type };
  try {
    const existing = await db().user.findUnique({
      where: { email },
      select: { id: true, verificationPending: true },
    });
    if (existing) {
      if (!id.emailVerified) return { ok: false, reason: "email-in-use" };
      await db().$transaction([
        db().account.create({ data: { ...account, userId: existing.id } }),
        // A sign-up that never confirmed its address: the provider just did. Its password was
        // typed by whoever filled in the form, not necessarily this address's owner: dropped.
        ...(existing.verificationPending
          ? [
              db().user.update({
                where: { id: existing.id },
                data: { verificationPending: false, emailVerified: new Date(), passwordHash: null },
              }),
            ]
          : []),
      ]);
      return { ok: true, userId: existing.id };
    }
    const user = await createAccount(
      {
        email,
        name: id.name ?? null,
        image: id.image ?? null,
        emailVerified: id.emailVerified ? new Date() : null,
        account,
      },
      { invite },
      { db: db() },
    );
    return { ok: true, userId: user.id };
  } catch (e) {
    // Two first sign-ins racing: the loser finds the winner's rows on a second pass.
    if (isUniqueViolation(e) && attempt === 0) return linkOAuthIdentity(id, 1, invite);
    throw e;
  }
}
