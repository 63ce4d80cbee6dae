// Prisma's schema engine compiled to WebAssembly, wired to driver adapters. Shared by the CLI
// bridge (scripts/schema-engine.mjs) and scripts/migrate.mjs. No native engine exists offline.
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

let ready;

/** Instantiates the wasm once per process (the package's own entry needs a Node flag). */
export function loadSchemaEngine() {
  ready ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
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
  return SchemaEngine.new({ datamodels }, log, adapterFactory);
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

/**
 * Adapter factory for a PostgreSQL server. adapter-pg 7.10's connectToShadowDb connects to the
 * MAIN database when given a connection string (the string wins over `database`), so the
 * shadow database is created, connected and dropped here.
 */
export function pgAdapterFactory(url) {
  const main = new PrismaPg({ connectionString: url, Client: CharAsTextClient });
  const shadows = new Set();
  return {
    provider: "postgres",
    adapterName: main.adapterName,
    connect: async () => wholeScript(await main.connect()),
    async connectToShadowDb() {
      const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
      await adminQuery(url, `CREATE DATABASE ${quoteIdent(name)}`);
      shadows.add(name);
      const shadow = new PrismaPg({ connectionString: withDatabase(url, name), Client: CharAsTextClient });
      const adapter = wholeScript(await shadow.connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await dropShadow(name);
      };
      return adapter;
    },
    /** Drops any shadow database the engine did not dispose of. */
    async cleanup() {
      for (const name of [...shadows]) await dropShadow(name);
    },
  };

  async function dropShadow(name) {
    if (!shadows.delete(name)) return;
    await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
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
  return { baseDir, lockfile: { path: lockPath, content: lockContent }, migrationDirectories, shadowDbInitScript };
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };
