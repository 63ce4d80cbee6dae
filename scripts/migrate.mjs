#!/usr/bin/env node
// Applies the committed migrations (prisma/migrations) before the server starts:
//   DATABASE_URL set  → that PostgreSQL database (created if missing, as `prisma migrate deploy` does)
//   otherwise         → the embedded PGlite in $BYOK_DATA_DIR/pglite, under the data-dir lock
// Plain Node ESM, so it runs on a fresh clone before anything is built. Re-runs apply nothing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { acquireDataDirLock } from "../lib/db/lock.mjs";
import {
  describeUrl,
  ensureDatabase,
  NO_FILTERS,
  openSchemaEngine,
  pgAdapterFactory,
  pgliteAdapterFactory,
  readMigrations,
} from "./db/engine.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * @param {{ databaseUrl?: string, dataDir?: string, migrationsDir?: string, log?: (line: string) => void }} options
 * @returns {Promise<{ target: string, applied: string[] }>}
 */
export async function migrate({
  databaseUrl,
  dataDir = path.join(root, ".data"),
  migrationsDir = path.join(root, "prisma/migrations"),
  log = console.log,
} = {}) {
  const started = performance.now();
  const schemaPath = path.join(root, "prisma/schema.prisma");
  const datamodels = [[schemaPath, readFileSync(schemaPath, "utf8")]];
  const migrationsList = await readMigrations(migrationsDir);
  let target;
  let applied;

  if (databaseUrl) {
    target = `PostgreSQL ${describeUrl(databaseUrl)}`;
    if (await ensureDatabase(databaseUrl)) log(`migrate: created database ${describeUrl(databaseUrl)}`);
    applied = await apply(datamodels, pgAdapterFactory(databaseUrl), migrationsList);
  } else {
    const dir = path.join(path.resolve(dataDir), "pglite");
    target = `PGlite ${dir}`;
    const lock = acquireDataDirLock(dataDir, "migrate");
    try {
      const pglite = await PGlite.create({ dataDir: dir });
      try {
        applied = await apply(datamodels, pgliteAdapterFactory(pglite), migrationsList);
      } finally {
        await pglite.close();
      }
    } finally {
      lock.release();
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const total = migrationsList.migrationDirectories.length;
  log(
    applied.length
      ? `migrate: applied ${applied.length} migration(s) to ${target} in ${seconds}s: ${applied.join(", ")}`
      : `migrate: ${target} is up to date (${total} migration(s), ${seconds}s)`,
  );
  return { target, applied };
}

async function apply(datamodels, adapterFactory, migrationsList) {
  const engine = await openSchemaEngine({ datamodels, adapterFactory });
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return appliedMigrationNames;
  } finally {
    engine.free();
    await adapterFactory.cleanup?.();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error("migrate: DATABASE_URL must start with postgres:// or postgresql://");
    process.exit(1);
  }
  migrate({ databaseUrl, dataDir: path.resolve(process.env.BYOK_DATA_DIR || ".data") }).then(
    () => process.exit(0),
    (e) => {
      console.error(`migrate: ${e?.code === "DATA_DIR_LOCKED" ? e.message : (e?.stack ?? e)}`);
      process.exit(1);
    },
  );
}
