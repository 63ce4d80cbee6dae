// PGlite (WASM Postgres) on its own thread, driven by lib/db/pglite-thread.ts over postMessage.
// Plain Node ESM, loaded at runtime by file path (never bundled by Next), so every SQL statement
// burns CPU here instead of on the server's event loop. Values cross the thread boundary as the
// raw text Postgres sent (strings or null, bytea as its `\x…` hex text): the main thread applies
// the caller's parsers and PGlite's defaults, so no function or class instance is ever cloned.
//
// Requests from the parent: { id, op, … }, answered { id, ok: true, … } or { id, ok: false, error }.
//   query    { sql, params, paramTypes?, txId? } → { result }
//   exec     { sql, txId? }                      → { results }
//   begin    {}                                  → { txId } once the transaction holds PGlite
//   commit   { txId }  /  rollback { txId }      → {} once the transaction has ended
//   close    {}                                  → {} after PGlite has closed; the thread then ends
// After start-up it posts { op: "ready", arrayTypes } (or { op: "failed", error }).
import { parentPort, workerData } from "node:worker_threads";
import { messages, PGlite, TransactionAbortedError } from "@electric-sql/pglite";

/** The query PGlite runs at start-up to learn the array types (BasePGlite._initArrayTypes). */
const ARRAY_TYPES_SQL = `
      SELECT b.oid, b.typarray
      FROM pg_catalog.pg_type a
      LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
      WHERE a.typcategory = 'A'
      GROUP BY b.oid, b.typarray
      ORDER BY b.oid
    `;

const port = parentPort;
if (!port) throw new Error("pglite-worker.mjs runs as a worker thread (see lib/db/pglite-thread.ts)");

const pglite = new PGlite({ dataDir: workerData.dataDir });
const keepText = (x) => x;
/** Open transactions: txId → { tx, finish, fail, done }. */
const txs = new Map();
let nextTxId = 1;

function cloneableResult(result) {
  // rows (arrays of string | null), fields ({ name, dataTypeID }), affectedRows, command, rowCount.
  const { blob: _blob, ...rest } = result;
  return rest;
}

function serializeError(e) {
  if (!(e instanceof Error)) return { message: String(e), name: "Error", errorClass: "Error" };
  const error = {
    message: e.message,
    name: e.name,
    stack: e.stack,
    errorClass:
      e instanceof TransactionAbortedError
        ? "TransactionAbortedError"
        : e instanceof messages.DatabaseError
          ? "DatabaseError"
          : "Error",
  };
  for (const [key, value] of Object.entries(e)) {
    if (key === "queryOptions") {
      // The worker's own options (parsers are functions); the main thread puts the caller's back.
      error.queryOptions = undefined;
      continue;
    }
    try {
      error[key] = structuredClone(value);
    } catch {
      // not cloneable: left out
    }
  }
  return error;
}

function reply(id, payload) {
  port.postMessage({ id, ok: true, ...payload });
}

function replyError(id, e) {
  port.postMessage({ id, ok: false, error: serializeError(e) });
}

function target(txId) {
  if (txId === undefined) return pglite;
  const entry = txs.get(txId);
  if (!entry) throw new Error("Transaction is closed");
  return entry.tx;
}

function begin(id) {
  const txId = nextTxId++;
  let started = false;
  const entry = { tx: undefined, finish: undefined, fail: undefined, done: undefined };
  const hold = new Promise((resolve, reject) => {
    entry.finish = resolve;
    entry.fail = reject;
  });
  entry.done = pglite
    .transaction(async (tx) => {
      entry.tx = tx;
      started = true;
      txs.set(txId, entry);
      reply(id, { txId });
      await hold;
    })
    .finally(() => txs.delete(txId));
  // BEGIN itself failed: the transaction never started. Later failures go to commit/rollback.
  entry.done.catch((e) => {
    if (!started) replyError(id, e);
  });
}

async function handle(msg) {
  switch (msg.op) {
    case "query": {
      const options = { rowMode: "array" };
      if (msg.paramTypes) options.paramTypes = msg.paramTypes;
      const result = await target(msg.txId).query(msg.sql, msg.params, options);
      return { result: cloneableResult(result) };
    }
    case "exec": {
      const results = await target(msg.txId).exec(msg.sql, { rowMode: "array" });
      return { results: results.map(cloneableResult) };
    }
    case "commit": {
      const entry = txs.get(msg.txId);
      if (!entry) throw new Error("Transaction is closed");
      entry.finish();
      await entry.done;
      return {};
    }
    case "rollback": {
      const entry = txs.get(msg.txId);
      if (!entry) throw new Error("Transaction is closed");
      try {
        await entry.tx.rollback();
        entry.finish();
      } catch (e) {
        // PGlite rolls back itself when the callback throws (unless already closed).
        entry.fail(e);
      }
      await entry.done;
      return {};
    }
    case "close": {
      await pglite.close();
      return {};
    }
    default:
      throw new Error(`pglite-worker: unknown op ${String(msg.op)}`);
  }
}

const started = (async () => {
  await pglite.waitReady;
  const arrayTypes = (await pglite.query(ARRAY_TYPES_SQL, [], { rowMode: "array" })).rows;
  // pglite.parsers holds the defaults plus one parser per array type, learnt at start-up. Every
  // one keeps the text: nothing is parsed here. (Not a `parsers` query option: PGlite would
  // spread ~330 parsers into a new object on every query, ~0.1 ms.) Types PGlite has no parser
  // for stay text anyway.
  for (const key of Object.keys(pglite.parsers)) pglite.parsers[key] = keepText;
  return arrayTypes;
})();
started.then(
  (arrayTypes) => port.postMessage({ op: "ready", arrayTypes }),
  (e) => port.postMessage({ op: "failed", error: serializeError(e) }),
);

port.on("message", async (msg) => {
  // Every request waits for start-up the same way, so they reach PGlite in the order they came.
  try {
    await started;
  } catch (e) {
    replyError(msg.id, e);
    return;
  }
  if (msg.op === "begin") {
    begin(msg.id);
    return;
  }
  handle(msg).then(
    (payload) => {
      reply(msg.id, payload);
      if (msg.op === "close") port.close(); // nothing else keeps the thread alive: it ends
    },
    (e) => replyError(msg.id, e),
  );
});
