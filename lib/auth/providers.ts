import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { env } from "@/lib/env";

// OAuth providers exist only when their client id and secret are configured.

export type OAuthProviderId = "github" | "google";
export type OAuthProviderInfo = { id: OAuthProviderId; name: string };

export function oauthProviderInfo(): OAuthProviderInfo[] {
  const e = env();
  const list: OAuthProviderInfo[] = [];
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) list.push({ id: "github", name: "GitHub" });
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) list.push({ id: "google", name: "Google" });
  return list;
}

export function oauthProviders(): Provider[] {
  const e = env();
  return oauthProviderInfo().map((p) =>
    p.id === "github"
      ? GitHub({
          clientId: e.AUTH_GITHUB_ID,
          clientSecret: e.AUTH_GITHUB_SECRET,
          // GitHub Enterprise Server: the same OAuth app flow and API under the server's own host.
          ...(e.AUTH_GITHUB_ENTERPRISE_URL ? { enterprise: { baseUrl: e.AUTH_GITHUB_ENTERPRISE_URL } } : {}),
        })
      : Google({ clientId: e.AUTH_GOOGLE_ID, clientSecret: e.AUTH_GOOGLE_SECRET }),
  );
}
