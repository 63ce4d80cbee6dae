// The client address as the server entry decided it (scripts/lib/forwarded.mjs): it sets
// X-Real-IP and a one-entry X-Forwarded-For from the socket and TRUSTED_PROXY_HOPS before Next.js
// runs, dropping whatever the client sent. Read the address only through this helper.
// (Served some other way, e.g. `next dev`, these headers are whatever the client sent.)

export function clientIp(headers: Headers): string | null {
  const real = headers.get("x-real-ip")?.trim();
  if (real) return real;
  const last = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  return last || null;
}
