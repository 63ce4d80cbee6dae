import { readdirSync } from "node:fs";
import path from "node:path";
import Redis from "ioredis";

// Readiness: can this instance serve a request right now? The database answers and carries every
// migration this build ships; Redis answers when REDIS_URL is configured. Liveness (/api/health)
// does none of this: it only proves the process answers HTTP.
// What a probe returns names the failing dependency and nothing else: no versions, hosts, URLs
// or error text (a driver's message can hold a connection string).

export type CheckState = "ok" | "unreachable" | "not_migrated" | "not_configured";
export type Readiness = {
  ready: boolean;
  checks: { database: CheckState; redis: CheckState };
};

/** The part of a Prisma client the probe uses. */
export type RawQuery = {
  $queryRawUnsafe<T = unknown>(query: string): Promise<T>;
};

export type ReadinessDeps = {
  db: RawQuery;
  redisUrl?: string;
  /** Migration folder names this build ships (prisma/migrations); see expectedMigrations(). */
  migrations: readonly string[];
  timeoutMs?: number;
};

// Within the usual 5-10 s probe timeout of load balancers; a busy embedded database's first
// query after start-up takes over a second on a loaded machine.
const DEFAULT_TIMEOUT_MS = 4000;

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const [database, redis] = await Promise.all([
    databaseState(deps.db, deps.migrations, timeoutMs),
    deps.redisUrl ? redisState(deps.redisUrl, timeoutMs) : Promise.resolve<CheckState>("not_configured"),
  ]);
  return { ready: database === "ok" && redis !== "unreachable", checks: { database, redis } };
}

/**
 * What /api/ready answers: `{ status: "ready" }`, or `{ code: "NOT_READY", message, failing }`
 * where `failing` names only the dependencies that are down (so a healthy instance says nothing
 * about how it is configured, e.g. whether it uses Redis).
 */
export function readinessBody(r: Readiness) {
  if (r.ready) return { status: "ready" as const };
  const failing: Partial<Record<keyof Readiness["checks"], CheckState>> = {};
  for (const [name, state] of Object.entries(r.checks) as [keyof Readiness["checks"], CheckState][]) {
    if (state === "unreachable" || state === "not_migrated") failing[name] = state;
  }
  return { code: "NOT_READY" as const, message: "A dependency of this instance is not available.", failing };
}

type MigrationRow = { migration_name: string; finished: boolean };

async function databaseState(
  db: RawQuery,
  expected: readonly string[],
  timeoutMs: number,
): Promise<CheckState> {
  let rows: MigrationRow[];
  try {
    // Prisma's own bookkeeping table: one row per applied (or failed) migration, a few rows.
    rows = await withTimeout(
      db.$queryRawUnsafe<MigrationRow[]>(
        'SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
      ),
      timeoutMs,
    );
  } catch (e) {
    // Reachable but never migrated: the table does not exist (PostgreSQL 42P01).
    return isUndefinedTable(e) ? "not_migrated" : "unreachable";
  }
  // A row without finished_at is a migration that failed or is still running.
  if (rows.some((r) => !r.finished)) return "not_migrated";
  const applied = new Set(rows.map((r) => r.migration_name));
  if (expected.length === 0) return applied.size > 0 ? "ok" : "not_migrated";
  return expected.every((name) => applied.has(name)) ? "ok" : "not_migrated";
}

function isUndefinedTable(e: unknown): boolean {
  const err = e as {
    code?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
  };
  const cause = err?.meta?.driverAdapterError?.cause;
  return (
    err?.code === "42P01" ||
    err?.meta?.code === "42P01" ||
    cause?.originalCode === "42P01" ||
    cause?.kind === "TableDoesNotExist"
  );
}

// One connection per process for probes, separate from the rate limiters' (a probe must not
// queue behind their traffic, and their client is created only once a limiter is used).
const g = globalThis as unknown as { __byokHealthRedis?: { url: string; client: Redis } };

function probeClient(url: string): Redis {
  if (g.__byokHealthRedis?.url !== url) {
    g.__byokHealthRedis?.client.disconnect();
    const client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: DEFAULT_TIMEOUT_MS,
      // Reconnects are driven by the probes themselves (connect() below), not by a timer.
      retryStrategy: () => null,
    });
    client.on("error", () => {
      // The probe's answer carries the state; a down Redis must not crash the process.
    });
    g.__byokHealthRedis = { url, client };
  }
  return g.__byokHealthRedis.client;
}

async function redisState(url: string, timeoutMs: number): Promise<CheckState> {
  const client = probeClient(url);
  try {
    if (client.status === "wait" || client.status === "end" || client.status === "close") {
      await withTimeout(client.connect(), timeoutMs);
    } else if (client.status !== "ready") {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          client.once("ready", resolve);
          client.once("end", () => reject(new Error("closed")));
        }),
        timeoutMs,
      );
    }
    const pong = await withTimeout(client.ping(), timeoutMs);
    return pong === "PONG" ? "ok" : "unreachable";
  } catch {
    if (client.status !== "ready") client.disconnect();
    return "unreachable";
  }
}

/** Closes the probe's Redis connection (shutdown, tests). */
export function closeHealthRedis(): void {
  g.__byokHealthRedis?.client.disconnect();
  g.__byokHealthRedis = undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const m = globalThis as unknown as { __byokMigrations?: readonly string[] };

/**
 * The migrations this build ships: the folder names under prisma/migrations, read once per
 * process (the folder travels with the build: `npm start` applies it before serving). Unreadable
 * → empty, and readiness then only asks that some migration was applied and none failed.
 */
export function expectedMigrations(
  dir = path.join(process.cwd(), "prisma", "migrations"),
): readonly string[] {
  if (!m.__byokMigrations) {
    try {
      m.__byokMigrations = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    } catch {
      m.__byokMigrations = [];
    }
  }
  return m.__byokMigrations;
}
