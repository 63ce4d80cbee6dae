import { isDatabaseUnavailable } from "./unavailable";

// Pages cannot answer 503 themselves: Next.js renders a page that throws as a 500. So proxy.ts
// asks here first, for page requests only (route handlers map the error themselves, lib/http.ts),
// and answers 503 DATABASE_UNAVAILABLE without rendering when the database cannot be reached.
// The probe (one `SELECT 1` on the server's own client) is registered at start-up by
// lib/db/startup.ts, so the proxy bundle carries no database driver; both sides meet on
// globalThis, which the proxy shares with the rest of the server on the Node.js runtime.
// Concurrent page requests share one probe, and a probe that reached the database is trusted
// for REACHABLE_MEMO_MS: a burst of navigations costs one round trip, not one each. A failed
// probe is never remembered, so the first page after the database comes back renders at once;
// at worst a page in the first second of an outage renders Next's 500 instead of our 503.

type Probe = () => Promise<unknown>;
const g = globalThis as unknown as {
  __byokDbProbe?: Probe;
  __byokDbProbing?: Promise<boolean>;
  __byokDbReachableAt?: number;
};

const PROBE_TIMEOUT_MS = 3000;
export const REACHABLE_MEMO_MS = 1000;

export function registerDatabaseProbe(probe: Probe): void {
  g.__byokDbProbe = probe;
  g.__byokDbReachableAt = undefined;
}

/** False only when the probe fails with a connection error (or does not answer in time). */
export function databaseReachable(): Promise<boolean> {
  const probe = g.__byokDbProbe;
  if (!probe) return Promise.resolve(true);
  const at = g.__byokDbReachableAt;
  if (at !== undefined && now() - at < REACHABLE_MEMO_MS) return Promise.resolve(true);
  g.__byokDbProbing ??= run(probe).then(
    (ok) => {
      g.__byokDbReachableAt = ok ? now() : undefined;
      g.__byokDbProbing = undefined;
      return ok;
    },
    () => {
      g.__byokDbProbing = undefined;
      return true;
    },
  );
  return g.__byokDbProbing;
}

async function run(probe: Probe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), PROBE_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([probe(), timeout])) !== "timeout";
  } catch (e) {
    // Anything else (a bug, bad SQL) is not an outage: let the page render and report it.
    return !isDatabaseUnavailable(e);
  } finally {
    clearTimeout(timer);
  }
}

const now = () => performance.now();
