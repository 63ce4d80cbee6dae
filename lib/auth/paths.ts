// Where people land, and the one check that keeps callbackUrl from sending them off-site.

export const HOME_PATH = "/chat";
export const SIGN_IN_PATH = "/sign-in";
export const SIGN_UP_PATH = "/sign-up";
/** Where sign-up always leads, whether or not the email was new (app/(auth)/actions.ts). */
export const SIGNED_UP_PATH = "/sign-in?notice=signed-up";
/** Where sign-up leads when SMTP_URL is set: "check your inbox", whether or not the email was new. */
export const CHECK_INBOX_PATH = "/verify-email?sent=1";
export const FORGOT_PASSWORD_PATH = "/forgot-password";
/** Request header set by proxy.ts so server code knows which page asked for sign-in. */
export const PATHNAME_HEADER = "x-byok-pathname";

/** A same-site relative path, or the home page. Refuses "//evil", "/\\evil", absolute URLs. */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 2048) return HOME_PATH;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return HOME_PATH;
  // The URL parser resolves tricks like "/%5C" or tabs; the result must stay on our origin.
  const base = "http://byok.invalid";
  try {
    const url = new URL(value, base);
    if (url.origin !== base) return HOME_PATH;
    if (url.pathname === SIGN_IN_PATH || url.pathname === SIGN_UP_PATH) return HOME_PATH;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return HOME_PATH;
  }
}

export function signInPath(returnTo?: string): string {
  if (returnTo === undefined) return SIGN_IN_PATH;
  return `${SIGN_IN_PATH}?callbackUrl=${encodeURIComponent(safeCallbackPath(returnTo))}`;
}
