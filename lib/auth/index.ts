import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import NextAuth from "next-auth";
import { cache } from "react";
import { userFromSessionCookie } from "@/lib/auth/api-session";
import { fullAuthConfig } from "@/lib/auth/config";
import { PATHNAME_HEADER, signInPath } from "@/lib/auth/paths";
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
  const session = await auth();
  const u = session?.user;
  if (!u?.id || !u.email) return null;
  if (!(await isActiveUser(u.id))) return null;
  return { id: u.id, email: u.email, name: u.name ?? null };
});

/**
 * For pages, layouts and server actions: the signed-in user, or a redirect to the sign-in page
 * that comes back to `returnTo` (default: the path proxy.ts saw).
 */
export async function requireUser(returnTo?: string): Promise<SessionUser> {
  const user = await currentUser();
  if (user) return user;
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
