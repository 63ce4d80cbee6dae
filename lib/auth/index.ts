import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import NextAuth from "next-auth";
import { cache } from "react";
import { userFromSessionCookie } from "@/lib/auth/api-session";
import { fullAuthConfig } from "@/lib/auth/config";
import { PATHNAME_HEADER, signInPath } from "@/lib/auth/paths";
import { liveSession } from "@/lib/auth/sessions";
import { isSameOriginRequest } from "@/lib/csrf";
import { AppError } from "@/lib/errors";

// Lazy config: the secret may live in a file, and reading it at import time would break `next build`.
export const { auth, handlers, signIn, signOut } = NextAuth(() => fullAuthConfig());

/** `sid`: this browser's Session row (lib/auth/sessions.ts). */
export type SessionUser = { id: string; email: string; name: string | null; sid: string };

/**
 * The signed-in user, or null: the verified session JWT whose Session row is live (not ended,
 * not past its absolute lifetime or idle timeout, user row present). One indexed query, once
 * per request. The cookie's rolling re-issue is proxy.ts's (pages) business; a re-issued cookie
 * of an ended session stays refused here, because the row decides.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const user = await userFromSessionCookie();
  if (!user) return null;
  return (await liveSession(user.sid, user.id)) ? user : null;
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
  const user = await currentUser();
  if (!user) throw new AppError("UNAUTHORIZED");
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
