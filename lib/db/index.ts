import { existsSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { acquireDataDirLock } from "./lock.mjs";
import { PGliteThread } from "./pglite-thread";

export type { PrismaClient } from "@/lib/db/generated/client";
export { DataDirLockedError } from "./lock.mjs";

export interface DbOptions {
  /** A PostgreSQL server (postgres://…). Wins over dataDir. */
  databaseUrl?: string;
  /** Embedded mode: PGlite in `<dataDir>/pglite`, guarded by `<dataDir>/pglite.lock`. */
  dataDir?: string;
  /** Recorded in the lock file, shown to a second opener. */
  purpose?: string;
  /**
   * Embedded mode: run PGlite on the calling thread instead of a worker thread. By default PGlite
   * runs in a `worker_threads` Worker (lib/db/pglite-worker.mjs), so Postgres' CPU stays off the
   * server's event loop; Prisma and its adapter stay on this thread. Unset: the environment
   * decides, BYOK_PGLITE_THREAD=0 (or false) meaning in-thread.
   */
  pgliteInThread?: boolean;
}

/** BYOK_PGLITE_THREAD=0 (or false) opts out of the PGlite worker thread: see DbOptions.pgliteInThread. */
function pgliteInThreadFromEnv(): boolean {
  const v = process.env.BYOK_PGLITE_THREAD?.trim().toLowerCase();
  return v === "0" || v === "false";
}

export interface DbHandle {
  prisma: PrismaClient;
  embedded: boolean;
  /**
   * Disconnects; in embedded mode also closes PGlite (and ends its worker thread) and releases the
   * directory lock.
   */
  close(): Promise<void>;
}

/**
 * A new client for explicit settings (tests, scripts). Embedded mode throws DataDirLockedError
 * at once when another process (or this one) has the directory open: PGlite takes no lock of
 * its own and a second opener would corrupt the data. The schema must already be migrated
 * (scripts/migrate.mjs).
 */
export function createDbClient(options: DbOptions): DbHandle {
  if (options.databaseUrl) {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
    return { prisma, embedded: false, close: () => prisma.$disconnect() };
  }
  if (!options.dataDir) throw new Error("createDbClient: pass databaseUrl or dataDir");
  const lock = acquireDataDirLock(options.dataDir, options.purpose ?? "app server");
  try {
    const dir = path.join(path.resolve(options.dataDir), "pglite");
    // PGlite would silently initialise an empty database here; every query would then fail.
    if (!existsSync(path.join(dir, "PG_VERSION"))) {
      throw new Error(
        `No embedded database in ${dir}: run \`node scripts/migrate.mjs\` first (npm start does).`,
      );
    }
    const inThread = options.pgliteInThread ?? pgliteInThreadFromEnv();
    // The worker thread exposes the part of PGlite's API that pglite-prisma-adapter calls.
    const pglite = inThread ? new PGlite({ dataDir: dir }) : new PGliteThread({ dataDir: dir });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite as unknown as PGlite) });
    const close = async () => {
      try {
        try {
          await prisma.$disconnect();
        } finally {
          await pglite.close(); // a worker thread must end even when the disconnect failed
        }
      } finally {
        lock.release();
      }
    };
    return { prisma, embedded: true, close };
  } catch (e) {
    lock.release();
    throw e;
  }
}

// On globalThis, not module scope: under `next start` route handlers and server actions are
// separate bundles with their own module state, and two PGlite instances on one directory
// corrupt it.
const g = globalThis as unknown as { __byokDb?: DbHandle };

/** The process-wide client, configured from the environment (DATABASE_URL or BYOK_DATA_DIR). */
export function db(): PrismaClient {
  if (!g.__byokDb) {
    const { DATABASE_URL, dataDir } = env();
    g.__byokDb = createDbClient(DATABASE_URL ? { databaseUrl: DATABASE_URL } : { dataDir });
  }
  return g.__byokDb.prisma;
}

/** Closes the process-wide client (tests, scripts); the next db() opens a new one. */
export async function closeDb(): Promise<void> {
  const handle = g.__byokDb;
  g.__byokDb = undefined;
  await handle?.close();
}
