#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, which cannot be downloaded offline.
// prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here; the unchanged CLI then drives the
// wasm build of the same engine through the protocol it speaks to the native binary:
//   --version                                  one line
//   --datasource '{"url":…}' cli <command>     one shot: can-connect-to-database | create-database | drop-database
//   --datamodels <file>… --datasource '{…}'    JSON-RPC 2.0, one request per stdin line
import { readFileSync } from "node:fs";
import readline from "node:readline";
import { parseArgs } from "node:util";
import {
  adminQuery,
  createDatabase,
  databaseName,
  dropDatabase,
  engineVersion,
  lastPanicMessage,
  NO_FILTERS,
  openSchemaEngine,
  pgAdapterFactory,
} from "./db/engine.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: {
    datamodels: { type: "string", multiple: true },
    datasource: { type: "string" },
    version: { type: "boolean", short: "V" },
  },
});
const datasource = typeof args.datasource === "string" ? JSON.parse(args.datasource) : {};

if (args.version) {
  console.log(`schema-engine-wasm ${engineVersion()}`);
} else if (positionals[0] === "cli") {
  await oneShot(positionals[1], datasource.url);
} else {
  serveJsonRpc();
}

// Errors as the native engine reports them: P-codes the CLI reacts to (P1003 lets `migrate dev`
// offer to create the database).
function describePgError(e, url) {
  const u = new URL(url);
  const at = `${u.hostname}:${u.port || 5432}`;
  const db = databaseName(url);
  if (e.code === "3D000")
    return {
      error_code: "P1003",
      message: `Database \`${db}\` does not exist on the database server at \`${at}\`.`,
    };
  if (e.code === "42P04")
    return {
      error_code: "P1009",
      message: `Database \`${db}\` already exists on the database server at \`${at}\``,
    };
  if (e.code === "28P01" || e.code === "28000") {
    return {
      error_code: "P1000",
      message: `Authentication failed against database server at \`${at}\`, the provided database credentials for \`${decodeURIComponent(u.username)}\` are not valid.`,
    };
  }
  if (["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"].includes(e.code)) {
    return {
      error_code: "P1001",
      message: `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`,
    };
  }
  return { message: String(e.message ?? e) };
}

async function oneShot(command, url) {
  const run = {
    "can-connect-to-database": () => adminQuery(url, "SELECT 1"),
    "create-database": () => createDatabase(url),
    "drop-database": () => dropDatabase(url),
  }[command];
  try {
    if (!run) throw new Error(`Unknown command: cli ${command}`);
    if (!/^postgres(ql)?:\/\//.test(url ?? ""))
      throw new Error("This schema engine bridge supports postgres:// URLs only.");
    await run();
  } catch (e) {
    // The CLI skips the first stderr line and parses every later one as a JSON log record.
    const fields = e.code ? describePgError(e, url) : { message: String(e.message ?? e) };
    process.stderr.write(`${fields.message.split("\n")[0]}\n`);
    process.stderr.write(JSON.stringify({ level: "ERROR", target: "schema_engine::logger", fields }));
    process.exit(1);
  }
}

function serveJsonRpc() {
  const url = datasource.url;
  const factory = /^postgres(ql)?:\/\//.test(url ?? "")
    ? pgAdapterFactory(url)
    : {
        provider: "postgres",
        adapterName: "none",
        connect: () =>
          Promise.reject(new Error(`No postgres:// datasource url (got "${url ?? ""}"): set DATABASE_URL.`)),
        connectToShadowDb: () =>
          Promise.reject(new Error("No postgres:// datasource url: set DATABASE_URL.")),
        cleanup: async () => {},
      };
  const datamodels = (args.datamodels ?? []).map((file) => [file, readFileSync(file, "utf8")]);
  // The wasm engine panics without a schema (`migrate diff` sends none); it only needs the provider.
  if (datamodels.length === 0)
    datamodels.push(["schema.prisma", 'datasource db {\n  provider = "postgresql"\n}\n']);
  let engine;
  let printId = 0;
  const send = (msg) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...msg })}\n`);
  const log = (line) => process.stderr.write(line.endsWith("\n") ? line : `${line}\n`);

  async function call(method, params) {
    if (method === "createDatabase") return createDatabase(params?.datasource?.url ?? url);
    if (method === "debugPanic")
      throw Object.assign(new Error("This is the debugPanic artificial panic"), { panic: true });
    engine ??= await openSchemaEngine({ datamodels, adapterFactory: factory, log });
    if (method === "getDatabaseVersion") return engine.version(params ?? null);
    if (typeof engine[method] !== "function" || method === "free") {
      throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
    }
    // evaluateDataLoss and createMigration read the migration history's schema from a cache that
    // only diagnoseMigrationHistory/devDiagnostic fill (only they get the shadow-database
    // factory). `migrate dev` on a database it just brought up to date skips that: fill, retry.
    const result = await engine[method](params).catch(async (e) => {
      if (!/shadow DB must be provided/.test(e.message) || !params?.migrationsList) throw e;
      const { migrationsList, filters = NO_FILTERS } = params;
      await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: true, filters });
      return engine[method](params);
    });
    // The native engine streams `migrate diff` output as a print request; the CLI ignores `stdout`.
    if (method === "diff" && result?.stdout) {
      send({ id: ++printId, method: "print", params: { content: result.stdout } });
      return { ...result, stdout: null };
    }
    return result ?? {};
  }

  function fail(id, e) {
    const panic = e.panic || e instanceof WebAssembly.RuntimeError;
    const message = (e instanceof WebAssembly.RuntimeError && lastPanicMessage()) || String(e.message ?? e);
    const data = { is_panic: !!panic, message, error_code: e.code, meta: e.meta ?? {} };
    send({ id, error: { code: e.rpcCode ?? 4466, message, data } });
    // A panicked wasm instance is unusable: exit as the native engine does (the CLI expects 101).
    if (panic) process.stdout.write("", () => process.exit(101));
  }

  // A Rust panic can trap inside a wasm-scheduled microtask, outside any awaited promise.
  let current;
  process.on("uncaughtException", (e) => fail(current, e.panic ? e : Object.assign(e, { panic: true })));

  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    const req = JSON.parse(line);
    if (!req.method) return; // the CLI's acknowledgement of a print request
    queue = queue.then(async () => {
      current = req.id;
      try {
        send({ id: req.id, result: await call(req.method, req.params) });
      } catch (e) {
        fail(req.id, e);
      }
    });
  });
  rl.on("close", () => {
    queue.then(() => factory.cleanup()).finally(() => process.exit(0));
  });
}
