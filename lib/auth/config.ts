import { headers } from "next/headers";
import type { NextAuthConfig } from "next-auth";
import { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authConfig } from "@/auth.config";
import { authenticate } from "@/lib/auth/credentials";
import { linkOAuthIdentity, userIdForAccount } from "@/lib/auth/oauth";
import { oauthProviders } from "@/lib/auth/providers";
import { signInSchema } from "@/lib/auth/schemas";
import { authSecret } from "@/lib/auth/secret";
import { endSession, liveSession, startSession } from "@/lib/auth/sessions";
import { clientIp } from "@/lib/client-ip";
import { isAppError } from "@/lib/errors";
import { isActiveUser } from "@/lib/operator/accounts";
import { inviteFromCookie } from "@/lib/operator/invite-cookie";

// The full auth config (database, Argon2, OAuth linking). Node only; proxy.ts uses auth.config.ts.

/** Thrown by authorize(); its `code` reaches the sign-in action. */
export class InvalidCredentials extends CredentialsSignin {
  code = "invalid";
}
export class AccountDisabled extends CredentialsSignin {
  code = "disabled";
}
export class EmailUnverified extends CredentialsSignin {
  code = "unverified";
}
export class SignInThrottled extends CredentialsSignin {
  constructor(readonly retryAfterSec: number) {
    super();
    this.code = `throttled:${retryAfterSec}`;
  }
}

export function fullAuthConfig(): NextAuthConfig {
  return {
    ...authConfig,
    secret: authSecret(),
    providers: [
      Credentials({
        id: "credentials",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, request) {
          const parsed = signInSchema.safeParse(credentials);
          if (!parsed.success) throw new InvalidCredentials();
          const res = await authenticate(parsed.data.email, parsed.data.password, clientIp(request.headers));
          if (res.ok) return res.user;
          if (res.reason === "throttled") throw new SignInThrottled(res.retryAfterSec);
          if (res.reason === "disabled") throw new AccountDisabled();
          if (res.reason === "unverified") throw new EmailUnverified();
          throw new InvalidCredentials();
        },
      }),
      ...oauthProviders(),
    ],
    callbacks: {
      ...authConfig.callbacks,
      async signIn({ account, profile, user }) {
        if (!account || account.type === "credentials") return true;
        let result: Awaited<ReturnType<typeof linkOAuthIdentity>>;
        try {
          result = await linkOAuthIdentity(
            {
              provider: account.provider,
              providerAccountId: account.providerAccountId,
              type: account.type,
              email: user.email ?? profile?.email,
              emailVerified: account.provider === "google" && profile?.email_verified === true,
              name: user.name,
              image: user.image,
            },
            0,
            await inviteFromCookie(),
          );
        } catch (e) {
          // The registration mode refused this first sign-in (a sign-up): as the form would.
          if (isAppError(e) && e.code === "FORBIDDEN") return "/sign-in?error=RegistrationClosed";
          throw e;
        }
        if (result.ok) return (await isActiveUser(result.userId)) ? true : "/sign-in?error=AccountDisabled";
        return `/sign-in?error=${result.reason === "email-in-use" ? "OAuthAccountNotLinked" : "OAuthNoEmail"}`;
      },
      async jwt({ token, account, user }) {
        // Not a sign-in (next-auth's own /api/auth/session): an ended session gets no session
        // and its cookie is cleared. The app's pages and handlers check in lib/auth/index.ts.
        if (!account || !user) {
          if (!token.sub || !token.sid) return null;
          return (await liveSession(token.sid, token.sub)) ? token : null;
        }
        if (account.type === "credentials") {
          if (!user.id) throw new Error("Credentials sign-in without a user id");
          token.sub = user.id;
        } else {
          // The provider's user id is not ours: swap in the User.id linked by signIn above.
          const userId = await userIdForAccount(account.provider, account.providerAccountId);
          if (!userId) throw new Error("OAuth account was not linked");
          token.sub = userId;
        }
        // A sign-in: record it server-side; the token is only good while that row is live.
        const h = await headers();
        token.sid = await startSession(token.sub, { userAgent: h.get("user-agent"), ip: clientIp(h) });
        return token;
      },
    },
    events: {
      // Both sign-out paths (the account menu's action and POST /api/auth/signout) end here.
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (token?.sub && token.sid) await endSession(token.sub, token.sid);
      },
    },
  };
}
