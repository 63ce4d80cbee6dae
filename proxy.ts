import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import NextAuth from "next-auth";
import { authConfig } from "@/auth.config";
import { isMalformedActionText } from "@/lib/action-body";
import { PATHNAME_HEADER, SIGN_IN_PATH, SIGN_UP_PATH, signInPath } from "@/lib/auth/paths";
import { authSecret } from "@/lib/auth/secret";
import { createNonce, hstsHeader, NONCE_HEADER, pageCsp } from "@/lib/csp";
import { CROSS_ORIGIN_REFUSED, isSameOriginRequest, MUTATING_METHODS } from "@/lib/csrf";
import { databaseReachable } from "@/lib/db/availability";
import { DATABASE_RETRY_AFTER_SEC } from "@/lib/db/unavailable";
import { defaultMessage } from "@/lib/errors";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/lib/request-id";
import { hasMalformedEscape } from "@/lib/url-path";

// Optimistic only: sends signed-out visitors to sign-in before a page renders. It does not run
// for /api/* or /v1/* (the OpenAI-compatible API: bearer tokens only, no cookies, no Origin
// rule, lib/v1/http.ts), except to refuse a malformed %-escape: route handlers answer 401
// themselves (requireApiUser), and skipping the proxy there
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
/** Served signed in or out: a password-reset link (lib/operator), asking for one, confirming a sign-up. */
const OPEN_PAGES = new Set(["/reset-password", "/forgot-password", "/verify-email"]);

const handler = auth((req) => {
  const { pathname, search } = req.nextUrl;
  const signedIn = Boolean(req.auth?.user?.id);
  const nonce = createNonce();
  const csp = pageCsp(nonce);
  // The page's or server action's request id (lib/request-id.ts): on its log lines and errors.
  const requestId = requestIdFrom(req.headers);

  let res: NextResponse;
  // A signed-in-looking cookie on /sign-in or /sign-up is NOT sent on to /chat here: the proxy
  // cannot see whether its session was ended (lib/auth/sessions.ts, a database row), and bouncing
  // an ended one back to /chat, whose requireUser() sends it to /sign-in, would loop. Those pages
  // redirect a live session themselves (currentUser()).
  if (!AUTH_PAGES.has(pathname) && !OPEN_PAGES.has(pathname) && !signedIn && pathname !== "/") {
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
  // Next decodes dynamic segments with decodeURIComponent and answers a malformed %-escape
  // ("%", "%ZZ", "%C0%AF", an encoded lone surrogate) with a 500 before any handler runs.
  // Such a path names nothing: 400 here. /api/* paths reach the proxy only when they hold a "%"
  // (see config.matcher), and go on untouched once their escapes are well formed.
  if (hasMalformedEscape(request.nextUrl.pathname)) return malformedPath();
  if (/^\/(api|v1)\//.test(request.nextUrl.pathname)) return NextResponse.next();
  if (MUTATING_METHODS.has(request.method) && !isSameOriginRequest(request.headers)) {
    return NextResponse.json(CROSS_ORIGIN_REFUSED, { status: 403, headers: { "Cache-Control": "no-store" } });
  }
  if (await isMalformedAction(request)) {
    return NextResponse.json(
      { code: "VALIDATION_FAILED", message: "The action's arguments are not valid." },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
  // Every page needs the database (sessions are JWTs, but each page or its actions read data):
  // while it is unreachable, answer 503 with a code instead of rendering a 500 error page.
  if (!(await databaseReachable())) return databaseUnavailable(request);
  // With a lazy config, next-auth's auth(fn) hands back a promise of the wrapped function; its
  // typings pick the route-handler overload, hence the cast.
  const run = (await handler) as unknown as (req: NextRequest, ev: NextFetchEvent) => Promise<Response>;
  return run(request, event);
}

/** A server action with a text body that Next would fail to decode (lib/action-body.ts). */
async function isMalformedAction(request: NextRequest): Promise<boolean> {
  if (request.method !== "POST" || !request.headers.has("next-action")) return false;
  if (request.headers.get("content-type")?.toLowerCase().startsWith("multipart/form-data")) return false;
  // Read from a copy: Next still hands the original body to the action.
  return isMalformedActionText(await request.clone().text());
}

function malformedPath(): Response {
  return Response.json(
    { code: "VALIDATION_FAILED", message: "The address contains a malformed %-escape." },
    { status: 400, headers: { "Cache-Control": "no-store" } },
  );
}

function databaseUnavailable(request: NextRequest): Response {
  const code = "DATABASE_UNAVAILABLE";
  const message = defaultMessage(code);
  const headers = { "Cache-Control": "no-store", "Retry-After": String(DATABASE_RETRY_AFTER_SEC) };
  if (!request.headers.get("accept")?.includes("text/html")) {
    return Response.json({ code, message }, { status: 503, headers });
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Temporarily unavailable · BYOK Chat</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>Temporarily unavailable</h1><p>${message}</p><p><code>${code}</code></p></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
  });
}

export const config = {
  // Everything except Next's own endpoints (assets, images, dev HMR) and static files in public/.
  matcher: [
    "/((?!api/|v1/|_next/|__nextjs|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|txt|xml|webmanifest)$).*)",
    // API paths with a "%" only, for the malformed-escape check: the rest skip the proxy.
    "/api/(.*%.*)",
    "/v1/(.*%.*)",
  ],
};
