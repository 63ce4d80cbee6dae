import type { NextAuthConfig } from "next-auth";
import { authLogger } from "@/lib/auth/logger";

// The part of the auth config that needs no database, no password hashing and no Node APIs:
// shared by proxy.ts (optimistic checks) and lib/auth (the full config). The secret is supplied
// by the caller (lib/auth/secret.ts) because it may come from a file.

export const SESSION_MAX_AGE_SEC = 30 * 24 * 60 * 60;

export const authConfig = {
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SEC },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [],
  callbacks: {
    // The JWT's `sub` is our User.id (lib/auth sets it at sign-in); expose it as session.user.id.
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  logger: authLogger,
} satisfies NextAuthConfig;
