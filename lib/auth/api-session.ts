import "server-only";
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { authSecret } from "@/lib/auth/secret";

// Route handlers only need to know who is calling. next-auth's auth() also re-issues the
// cookie (rolling expiry) on every call, which costs a second JWE encryption per request on
// the chat path; pages and server actions still go through auth() and keep the session rolling.
// decode() verifies the JWE (AES-GCM under a key derived from AUTH_SECRET) and its exp claim.

const COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

/** `sid`: the Session row this token belongs to (lib/auth/sessions.ts); checked by the caller. */
export type TokenUser = { id: string; email: string; name: string | null; sid: string };

/**
 * Verified tokens, by their exact text. A session token is immutable: the same string always
 * decrypts to the same claims, so a second request with it needs no second HKDF + AES-GCM pass
 * (≈0.7 ms of CPU). Only the decryption is remembered: whether the session is still live is
 * asked of the database on every request (lib/auth/index.ts), so a revocation is never masked.
 * Entries end at the token's own `exp` and after at most 60 s, the map holds at most 5,000 tokens (oldest out first), and only tokens that verified are kept.
 */
const VERIFIED_MAX = 5_000;
const VERIFIED_TTL_MS = 60_000;
const verified = new Map<string, { user: TokenUser; until: number }>();

function remember(key: string, user: TokenUser, expSeconds: unknown) {
  const exp = typeof expSeconds === "number" ? expSeconds * 1000 : 0;
  const until = Math.min(exp, Date.now() + VERIFIED_TTL_MS);
  if (until <= Date.now()) return;
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  verified.set(key, { user, until });
}

export async function userFromSessionCookie(): Promise<TokenUser | null> {
  const jar = await cookies();
  for (const name of COOKIE_NAMES) {
    const token = jar.get(name)?.value;
    if (!token) continue;
    const key = `${name}\n${token}`;
    const hit = verified.get(key);
    if (hit) {
      if (hit.until > Date.now()) return hit.user;
      verified.delete(key);
    }
    try {
      const claims = await decode({ token, secret: authSecret(), salt: name });
      // A token without a session id predates server-side sessions: it is signed out.
      if (!claims?.sub || typeof claims.email !== "string" || typeof claims.sid !== "string") return null;
      const user = {
        id: claims.sub,
        email: claims.email,
        name: typeof claims.name === "string" ? claims.name : null,
        sid: claims.sid,
      };
      remember(key, user, claims.exp);
      return user;
    } catch {
      return null;
    }
  }
  return null;
}
