// Is this error "the database cannot be reached right now" (as opposed to a bug or bad data)?
// Such errors answer 503 DATABASE_UNAVAILABLE instead of 500: the request was fine, a dependency
// is down, and a retry will work once it is back. Decided from codes, never from the message
// (it names the host and port), with one exception: node-postgres ends a query on a dropped
// connection with a plain Error that carries no code, only its fixed text.
// No imports: lib/http.ts uses it, and proxy.ts must stay free of Prisma's runtime.

/** Seconds a client is told to wait (Retry-After) while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SEC = 5;

/** Prisma's "can't reach", "timed out", "server closed the connection", pool-timeout codes. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) that mean the connection is gone. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/** Socket errors, and PostgreSQL's connection-exception class (08…) and shutdown codes. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const PG_CODES = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
const PG_DROPPED = new Set(["Connection terminated unexpectedly", "Connection terminated"]);

type Loose = {
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
};

export function isDatabaseUnavailable(e: unknown): boolean {
  let cur: unknown = e;
  // Errors wrap errors (Prisma → adapter → pg → socket); a few levels are enough.
  for (let depth = 0; depth < 5 && cur && typeof cur === "object"; depth++) {
    const err = cur as Loose;
    for (const code of [err.code, err.errorCode]) {
      if (typeof code !== "string") continue;
      if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || PG_CODES.test(code)) return true;
    }
    const cause = err.meta?.driverAdapterError?.cause;
    if (typeof cause?.kind === "string" && ADAPTER_KINDS.has(cause.kind)) return true;
    if (typeof cause?.originalCode === "string" && PG_CODES.test(cause.originalCode)) return true;
    if (cur instanceof Error && cur.name === "Error" && PG_DROPPED.has(cur.message)) return true;
    cur = err.cause;
  }
  return false;
}
