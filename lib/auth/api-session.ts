import "server-only";
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { authSecret } from "@/lib/auth/secret";

// Route handlers only need to know who is calling. next-auth's auth() also re-issues the
// cookie (rolling expiry) on every call, which costs a second JWE encryption per request on
// the chat path; pages and server actions still go through auth() and keep the session rolling.
// decode() verifies the JWE (AES-GCM under a key derived from AUTH_SECRET) and its exp claim.

const COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

export type TokenUser = { id: string; email: string; name: string | null };

export async function userFromSessionCookie(): Promise<TokenUser | null> {
  const jar = await cookies();
  for (const name of COOKIE_NAMES) {
    const token = jar.get(name)?.value;
    if (!token) continue;
    try {
      const claims = await decode({ token, secret: authSecret(), salt: name });
      if (!claims?.sub || typeof claims.email !== "string") return null;
      return {
        id: claims.sub,
        email: claims.email,
        name: typeof claims.name === "string" ? claims.name : null,
      };
    } catch {
      return null;
    }
  }
  return null;
}
