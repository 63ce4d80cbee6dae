// Prisma's schema engine compiled to WebAssembly, wired to driver adapters. Shared by the CLI
// bridge (scripts/schema-engine.mjs) and scripts/migrate.mjs. No native engine exists offline.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

const wasmDir = path.dirname(
  createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg"),
);
let ready;

/** The wasm package's version (its exports hide package.json). */
export function engineVersion() {
  return JSON.parse(readFileSync(path.join(wasmDir, "package.json"), "utf8")).version;
}

// The wasm reports a Rust panic's message here before trapping (as Prisma's own loaders set up).
const panics = { message: undefined };
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message: (message) => {
    panics.message = message;
  },
};

/** The message of the last engine panic, if any (the trap itself says only "unreachable"). */
export const lastPanicMessage = () => panics.message;

/** Instantiates the wasm once per process (the package's own entry needs a Node flag). */
export function loadSchemaEngine() {
  ready ??= (async () => {
    const bytes = await readFile(path.join(wasmDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return ready;
}

/**
 * @param {{ datamodels?: [string, string][], adapterFactory: object, log?: (line: string) => void }} options
 * @returns {Promise<import("@prisma/schema-engine-wasm").SchemaEngine>}
 */
export async function openSchemaEngine({ datamodels = [], adapterFactory, log = () => {} }) {
  const { SchemaEngine } = await loadSchemaEngine();
  // The engine expects the binder's Result-wrapped methods, as Prisma's own JS callers pass.
  return SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(adapterFactory));
}

// adapter-pg cannot map Postgres' internal "char" type (OID 18), which the engine's catalog
// queries return (e.g. pg_class.relkind); it is a one-byte string, so label it text.
function relabelChar(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const f of r?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
  }
  return result;
}

class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    if (typeof values === "function") [callback, values] = [values, undefined];
    if (typeof callback === "function") {
      return super.query(config, values, (err, res) => callback(err, err ? res : relabelChar(res)));
    }
    const out = super.query(config, values);
    return typeof out?.then === "function" ? out.then(relabelChar) : out;
  }
}

// Run a migration script as one simple-protocol query, as the native engine does; adapter-pg
// splits scripts on every ";", which breaks function bodies and string literals.
function wholeScript(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.client.query(script);
    } catch (e) {
      adapter.onError(e);
    }
  };
  return adapter;
}

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
}

/** Runs one statement on its own connection (CREATE/DROP DATABASE refuse transactions). */
export async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export const quoteIdent = (name) => `"${String(name).replaceAll('"', '""')}"`;

// CREATE/DROP DATABASE run from the server's maintenance database, never the target itself.
export function maintenanceUrl(url) {
  return withDatabase(url, databaseName(url) === "postgres" ? "template1" : "postgres");
}

export async function createDatabase(url) {
  await adminQuery(maintenanceUrl(url), `CREATE DATABASE ${quoteIdent(databaseName(url))}`);
  return { databaseName: databaseName(url) };
}

export async function dropDatabase(url) {
  await adminQuery(
    maintenanceUrl(url),
    `DROP DATABASE IF EXISTS ${quoteIdent(databaseName(url))} WITH (FORCE)`,
  );
}

/** Creates the URL's database when it does not exist yet (as `prisma migrate deploy` does). */
export async function ensureDatabase(url) {
  try {
    await adminQuery(url, "SELECT 1");
    return false;
  } catch (e) {
    if (e.code !== "3D000") throw e;
  }
  await createDatabase(url).catch((e) => {
    if (e.code !== "42P04") throw e; // created concurrently
  });
  return true;
}

/** The URL without credentials, for messages. */
export function describeUrl(url) {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * Adapter factory for a PostgreSQL server. adapter-pg 7.10's connectToShadowDb connects to the
 * MAIN database when given a connection string (the string wins over `database`), so the
 * shadow database is created, connected and dropped here.
 */
export function pgAdapterFactory(url) {
  const open = new Set();
  async function connect(connectionString, onDispose) {
    const adapter = wholeScript(await new PrismaPg({ connectionString, Client: CharAsTextClient }).connect());
    const dispose = adapter.dispose.bind(adapter);
    open.add(adapter);
    adapter.dispose = async () => {
      if (!open.delete(adapter)) return;
      await dispose();
      await onDispose?.();
    };
    return adapter;
  }
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(url),
    async connectToShadowDb() {
      const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
      const drop = () => adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await adminQuery(url, `CREATE DATABASE ${quoteIdent(name)}`);
      return connect(withDatabase(url, name), drop).catch(async (e) => {
        await drop();
        throw e;
      });
    },
    /**
     * Closes what the engine left open: it never disposes its main connection, whose session
     * keeps the engine's advisory lock until the pool's idle timeout (10 s) would close it.
     */
    async cleanup() {
      for (const adapter of [...open]) await adapter.dispose();
    },
  };
}

/** Adapter factory for an open PGlite instance (embedded mode). */
export function pgliteAdapterFactory(pglite) {
  const inner = new PrismaPGlite(pglite);
  return {
    provider: "postgres",
    adapterName: inner.adapterName,
    async connect() {
      const adapter = await inner.connect();
      // pglite-prisma-adapter 0.7.2 neither awaits nor reports errors of executeScript.
      adapter.executeScript = async (script) => {
        try {
          await pglite.exec(script);
        } catch (e) {
          adapter.onError(e);
        }
      };
      return adapter;
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
}

/** The committed migrations, in the shape the engine expects (as the CLI builds it). */
export async function readMigrations(baseDir, shadowDbInitScript = "") {
  const lockPath = "migration_lock.toml";
  const lockContent = await readFile(path.join(baseDir, lockPath), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  dirs.sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: "migration.sql",
        content: await readFile(path.join(baseDir, dir, "migration.sql"), "utf8").then(
          (value) => ({ tag: "ok", value }),
          (e) => ({ tag: "error", value: e.message }),
        ),
      },
    })),
  );
  return {
    baseDir,
    lockfile: { path: lockPath, content: lockContent },
    migrationDirectories,
    shadowDbInitScript,
  };
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };
