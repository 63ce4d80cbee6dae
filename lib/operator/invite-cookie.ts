import { cookies } from "next/headers";
import { parseToken } from "@/lib/tokens";

// An OAuth sign-up leaves the site for the provider and comes back to next-auth's callback:
// the invite token the visitor came with rides along in a short-lived, HttpOnly cookie.

export const INVITE_COOKIE = "byok-invite";

export async function rememberInvite(raw: unknown, secure: boolean): Promise<void> {
  const token = parseToken(raw);
  if (!token) return;
  (await cookies()).set(INVITE_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: 15 * 60,
  });
}

/** The invite token of this request's cookie, or null (also outside a request, e.g. in tests). */
export async function inviteFromCookie(): Promise<string | null> {
  try {
    return parseToken((await cookies()).get(INVITE_COOKIE)?.value);
  } catch {
    return null;
  }
}
