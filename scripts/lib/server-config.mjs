import os from "node:os";
import { parseTrustedHops } from "./forwarded.mjs";

// The server entry's settings (scripts/server.mjs), read from the environment and checked before
// anything starts. lib/env.ts validates the same variables for the app itself.

const MAX_WORKERS = 64;

function wholeNumber(name, value, { min, max, def }) {
  if (value === undefined || value.trim() === "") return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

function truthy(value) {
  return value === "true" || value === "1";
}

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ port: number, hostname: string | undefined, workers: number, hops: number,
 *   graceMs: number, embedded: boolean, warnings: string[] }}
 * Throws an Error whose message says what to change.
 */
export function serverConfig(env) {
  const port = wholeNumber("PORT", env.PORT, { min: 0, max: 65535, def: 3000 });
  const hostname = env.HOSTNAME?.trim() || undefined;
  const hops = parseTrustedHops(env.TRUSTED_PROXY_HOPS);
  const graceMs = wholeNumber("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, {
    min: 0,
    max: 600_000,
    def: 10_000,
  });
  const rawWorkers = env.WEB_CONCURRENCY?.trim();
  const workers =
    rawWorkers === "auto"
      ? os.availableParallelism()
      : wholeNumber("WEB_CONCURRENCY", rawWorkers, { min: 1, max: MAX_WORKERS, def: 1 });
  const embedded = !env.DATABASE_URL?.trim();
  const warnings = [];

  if (workers > 1 && embedded) {
    throw new Error(
      `WEB_CONCURRENCY=${rawWorkers} asks for ${workers} workers, but the embedded database (PGlite, ` +
        "used when DATABASE_URL is not set) lives inside one process and cannot be shared between " +
        "workers. Set DATABASE_URL to a PostgreSQL server to run several workers, or leave " +
        "WEB_CONCURRENCY unset (one process).",
    );
  }
  if (workers > 1 && !env.REDIS_URL?.trim()) {
    const what =
      `Without REDIS_URL each of the ${workers} workers keeps its own rate limits in memory: ` +
      `a client spread over the workers gets ${workers} times every budget (sign-in attempts, ` +
      "sign-ups, chat turns).";
    if (!truthy(env.ALLOW_PER_WORKER_LIMITS)) {
      throw new Error(
        `${what} Set REDIS_URL (recommended), or set ALLOW_PER_WORKER_LIMITS=true to accept this.`,
      );
    }
    warnings.push(`${what} Running anyway because ALLOW_PER_WORKER_LIMITS=true.`);
  }
  return { port, hostname, workers, hops, graceMs, embedded, warnings };
}
