// The Content-Security-Policy of every page, built per request by proxy.ts with a fresh nonce.
// Next reads the nonce back from the request's Content-Security-Policy header and puts it on
// its own scripts; the root layout hands it to next-themes' inline script. 'strict-dynamic'
// lets those nonce'd scripts load the rest of the app's chunks and nothing else. Web APIs only
// (the proxy may run on the edge).
//
// style-src keeps 'unsafe-inline': sonner, streamdown (Shiki token colours) and KaTeX set inline styles.
// img-src has no remote hosts: an answer's Markdown image is shown as a link (markdown-impl),
// so a prompt-injected answer cannot make the browser fetch a URL carrying data out.

/** Request header carrying the nonce from proxy.ts to the root layout. */
export const NONCE_HEADER = "x-nonce";

/** 128 random bits, base64. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** `dev`: `next dev` needs 'unsafe-eval' (React rebuilds server error stacks with eval). */
export function pageCsp(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** HSTS, when the app's configured origin is https (browsers ignore it over http anyway). */
export function hstsHeader(authUrl = process.env.AUTH_URL): string | undefined {
  return authUrl?.startsWith("https://") ? "max-age=63072000; includeSubDomains" : undefined;
}
