import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import NextAuth from "next-auth";
import { cache } from "react";
import { userFromSessionCookie } from "@/lib/auth/api-session";
import { fullAuthConfig } from "@/lib/auth/config";
import { ACCOUNT_DISABLED_PATH, PATHNAME_HEADER, signInPath } from "@/lib/auth/paths";
import { isSameOriginRequest } from "@/lib/csrf";
import { AppError } from "@/lib/errors";
import { assertActiveUser, isActiveUser } from "@/lib/operator/accounts";

// Lazy config: the secret may live in a file, and reading it at import time would break `next build`.
export const { auth, handlers, signIn, signOut } = NextAuth(() => fullAuthConfig());

export type SessionUser = { id: string; email: string; name: string | null };

/**
 * The signed-in user from the verified session JWT, or null; null too when the account was
 * disabled or deleted (one primary-key lookup, lib/operator/accounts.ts). Once per request.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const s = await sessionState();
  return s?.active ? s.user : null;
});

/** The session's user and whether their account is still active (exists, not disabled). */
const sessionState = cache(async (): Promise<{ user: SessionUser; active: boolean } | null> => {
  const session = await auth();
  const u = session?.user;
  if (!u?.id || !u.email) return null;
  return { user: { id: u.id, email: u.email, name: u.name ?? null }, active: await isActiveUser(u.id) };
});

/**
 * For pages, layouts and server actions: the signed-in user, or a redirect to the sign-in page
 * that comes back to `returnTo` (default: the path proxy.ts saw).
 */
export async function requireUser(returnTo?: string): Promise<SessionUser> {
  const s = await sessionState();
  if (s?.active) return s.user;
  // A valid cookie of a disabled or deleted account: a page that says so and offers sign-out
  // (the sign-in page would send a session cookie straight back to the app).
  if (s) redirect(ACCOUNT_DISABLED_PATH);
  const path = returnTo ?? (await headers()).get(PATHNAME_HEADER) ?? undefined;
  redirect(signInPath(path));
}

/** For route handlers: the signed-in user, or AppError UNAUTHORIZED (401 JSON via apiRoute). */
export async function requireApiUser(): Promise<SessionUser> {
  const user = await userFromSessionCookie();
  if (!user) throw new AppError("UNAUTHORIZED");
  await assertActiveUser(user.id);
  return user;
}

/**
 * First line of every server action (a unit test holds every action file to it): the CSRF rule
 * of lib/csrf.ts. Next only compares a present Origin with Host and lets a request without one
 * through. proxy.ts already answers a failing request 403 before Next runs; this is the check
 * that still holds when the proxy is bypassed or mis-configured.
 */
export async function requireSameOrigin(): Promise<void> {
  if (!isSameOriginRequest(await headers())) throw new AppError("FORBIDDEN", "Cross-origin request refused.");
}
