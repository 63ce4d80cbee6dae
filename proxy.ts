import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import NextAuth from "next-auth";
import { authConfig } from "@/auth.config";
import { HOME_PATH, PATHNAME_HEADER, SIGN_IN_PATH, SIGN_UP_PATH, signInPath } from "@/lib/auth/paths";
import { authSecret } from "@/lib/auth/secret";
import { createNonce, hstsHeader, NONCE_HEADER, pageCsp } from "@/lib/csp";
import { CROSS_ORIGIN_REFUSED, isSameOriginRequest, MUTATING_METHODS } from "@/lib/csrf";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/lib/request-id";

// Optimistic only: sends signed-out visitors to sign-in before a page renders. It does not run
// for /api/*: route handlers answer 401 themselves (requireApiUser), and skipping the proxy there
// saves a session decrypt + re-encrypt on every chat request. Every page, action and route handler still checks the session
// itself (requireUser / requireApiUser): a proxy can be bypassed (CVE-2025-29927).
// It also sets each page's Content-Security-Policy with a fresh nonce (lib/csp.ts); the headers
// that do not change per request (nosniff, frame options, referrer…) come from next.config.ts.
// And it refuses a state-changing request to a page path (a server action: Next-Action header,
// or a no-JS form post) that fails the CSRF rule of lib/csrf.ts with a 403 JSON before Next runs:
// Next itself accepts an action without Origin, and answers a mismatched one with a 500 and a
// stack trace in the log. Each action repeats the check (requireSameOrigin) in case this is bypassed.

const { auth } = NextAuth(() => ({ ...authConfig, secret: authSecret() }));

const AUTH_PAGES = new Set([SIGN_IN_PATH, SIGN_UP_PATH]);

const handler = auth((req) => {
  const { pathname, search } = req.nextUrl;
  const signedIn = Boolean(req.auth?.user?.id);
  const nonce = createNonce();
  const csp = pageCsp(nonce);
  // The page's or server action's request id (lib/request-id.ts): on its log lines and errors.
  const requestId = requestIdFrom(req.headers);

  let res: NextResponse;
  if (AUTH_PAGES.has(pathname) && signedIn) {
    res = NextResponse.redirect(new URL(HOME_PATH, req.nextUrl));
  } else if (!AUTH_PAGES.has(pathname) && !signedIn && pathname !== "/") {
    res = NextResponse.redirect(new URL(signInPath(`${pathname}${search}`), req.nextUrl));
  } else {
    const headers = new Headers(req.headers);
    // Lets requireUser() send people back to the page they asked for.
    headers.set(PATHNAME_HEADER, `${pathname}${search}`);
    // Next takes the nonce for its own scripts from the request's CSP; the layout reads x-nonce.
    headers.set("content-security-policy", csp);
    headers.set(NONCE_HEADER, nonce);
    headers.set(REQUEST_ID_HEADER, requestId);
    res = NextResponse.next({ request: { headers } });
  }
  res.headers.set(REQUEST_ID_HEADER, requestId);
  res.headers.set("Content-Security-Policy", csp);
  const hsts = hstsHeader();
  if (hsts) res.headers.set("Strict-Transport-Security", hsts);
  return res;
});

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  if (MUTATING_METHODS.has(request.method) && !isSameOriginRequest(request.headers)) {
    return NextResponse.json(CROSS_ORIGIN_REFUSED, { status: 403, headers: { "Cache-Control": "no-store" } });
  }
  // With a lazy config, next-auth's auth(fn) hands back a promise of the wrapped function; its
  // typings pick the route-handler overload, hence the cast.
  const run = (await handler) as unknown as (req: NextRequest, ev: NextFetchEvent) => Promise<Response>;
  return run(request, event);
}

export const config = {
  // Everything except Next's own endpoints (assets, images, dev HMR) and static files in public/.
  matcher: ["/((?!api/|_next/|__nextjs|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|txt|xml|webmanifest)$).*)"],
};
