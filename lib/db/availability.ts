import { isDatabaseUnavailable } from "./unavailable";

// Pages cannot answer 503 themselves: Next.js renders a page that throws as a 500. So proxy.ts
// asks here first, for page requests only (route handlers map the error themselves, lib/http.ts),
// and answers 503 DATABASE_UNAVAILABLE without rendering when the database cannot be reached.
// The probe (one `SELECT 1` on the server's own client) is registered at start-up by
// lib/db/startup.ts, so the proxy bundle carries no database driver; both sides meet on
// globalThis, which the proxy shares with the rest of the server on the Node.js runtime.
// Concurrent page requests share one probe.

type Probe = () => Promise<unknown>;
const g = globalThis as unknown as { __byokDbProbe?: Probe; __byokDbProbing?: Promise<boolean> };

const PROBE_TIMEOUT_MS = 3000;

export function registerDatabaseProbe(probe: Probe): void {
  g.__byokDbProbe = probe;
}

/** False only when the probe fails with a connection error (or does not answer in time). */
export function databaseReachable(): Promise<boolean> {
  const probe = g.__byokDbProbe;
  if (!probe) return Promise.resolve(true);
  g.__byokDbProbing ??= run(probe).finally(() => {
    g.__byokDbProbing = undefined;
  });
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
