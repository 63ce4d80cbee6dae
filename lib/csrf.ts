import { env } from "@/lib/env";

// The one CSRF rule for every cookie-authenticated mutating request (route handlers through
// lib/http.ts, server actions through proxy.ts and requireSameOrigin()):
//
//  - a present Origin must equal the app's configured origin (AUTH_URL, else
//    http://localhost:$PORT): no other localhost, no Host-derived origin, and X-Forwarded-* is
//    never read (a proxy that forwards them is trusted only through TRUSTED_PROXY_HOPS, elsewhere);
//  - without Origin, only `Sec-Fetch-Site: same-origin` (browsers set it; a page cannot forge it);
//  - a Sec-Fetch-Site other than same-origin refuses even a matching Origin.
// `Origin: null` is a present Origin that disagrees.

/** Headers as both Request and next/headers' ReadonlyHeaders expose them. */
type HeaderSource = { get(name: string): string | null };

export function isSameOriginRequest(headers: HeaderSource, appOrigin: string = env().appOrigin): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = headers.get("origin");
  if (origin !== null) return origin === appOrigin;
  return site === "same-origin";
}

/** Methods that change state: the only ones the rule applies to. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The JSON body of a refusal, the same shape as every other API error. */
export const CROSS_ORIGIN_REFUSED = { code: "FORBIDDEN", message: "Cross-origin request refused." } as const;
