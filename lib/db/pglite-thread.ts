import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import * as workerThreads from "node:worker_threads";
import {
  messages,
  type QueryOptions,
  type Results,
  type Transaction,
  TransactionAbortedError,
  types,
} from "@electric-sql/pglite";

// PGlite on a worker thread (lib/db/pglite-worker.mjs), behind the part of PGlite's API that
// pglite-prisma-adapter calls: query() with rowMode/parsers, exec(), transaction() with
// tx.query/exec/rollback, errors as PGlite's own DatabaseError. Postgres runs on another core;
// this thread only posts the SQL and parses the text values that come back, with the caller's
// parsers over PGlite's defaults, exactly as PGlite does in-thread (BasePGlite/parseResults).

type Parser = (x: string, typeId?: number) => unknown;
type Parsers = Record<number | string, Parser>;

interface RawResults {
  rows: (string | null)[][];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
  command?: string;
  rowCount?: number;
}

interface WorkerError {
  message: string;
  name: string;
  stack?: string;
  errorClass: "DatabaseError" | "TransactionAbortedError" | "Error";
  [field: string]: unknown;
}

type OkReply = { id: number; ok: true; result?: RawResults; results?: RawResults[]; txId?: number };
type Reply = OkReply | { id: number; ok: false; error: WorkerError };
type Status =
  | { op: "ready"; arrayTypes: [number | null, number | null][] }
  | { op: "failed"; error: WorkerError };

type Request =
  | { op: "query"; sql: string; params: unknown[]; paramTypes?: number[]; txId?: number }
  | { op: "exec"; sql: string; txId?: number }
  | { op: "begin" }
  | { op: "commit" | "rollback"; txId: number }
  | { op: "close" };

interface Pending {
  resolve(reply: OkReply): void;
  reject(error: Error): void;
  /** For a DatabaseError: what in-thread PGlite records on it (makePGliteError). */
  context?: { params: unknown[] | undefined; options: QueryOptions | undefined };
}

/**
 * worker_threads' Worker, out of the bundlers' sight: Turbopack (`next dev`) bundles the entry of
 * a `new Worker(…)` it can see, ignoring turbopackIgnore/webpackIgnore comments there, and with a
 * computed path it takes every file of the project (README.md, *.sql, …) for a possible entry
 * and fails. The worker must run as the plain file it is, loaded by Node.
 */
const NodeWorker = Reflect.get(workerThreads, "Worker") as typeof Worker;

const WORKER_FILE_ENV = "BYOK_PGLITE_WORKER";
const WORKER_FILE = "lib/db/pglite-worker.mjs";

/**
 * The worker file: $BYOK_PGLITE_WORKER, else lib/db/pglite-worker.mjs under the project root,
 * found by walking up from the working directory to the package.json named "byok-chat". Not
 * relative to this module: under `next start` it is bundled into .next/server/chunks.
 */
function pgliteWorkerFile(): string {
  const override = process.env[WORKER_FILE_ENV];
  if (override) return path.resolve(override);
  for (let dir = process.cwd(); ; ) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "byok-chat") return path.join(dir, WORKER_FILE);
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    `Cannot find ${WORKER_FILE}: no package.json named "byok-chat" above ${process.cwd()}. ` +
      `Run from the project directory or set ${WORKER_FILE_ENV} to the file's path.`,
  );
}

/** PGlite's default parsers plus one per array type, as BasePGlite._initArrayTypes sets them. */
function defaultParsers(arrayTypes: [number | null, number | null][]): Parsers {
  const parsers: Parsers = { ...(types.parsers as Parsers) };
  for (const [oid, typarray] of arrayTypes) {
    parsers[String(typarray)] = (x) =>
      types.arrayParser(x, parsers[String(oid)] as Parser, typarray as number);
  }
  return parsers;
}

/**
 * parseResults() of PGlite, on values the worker kept as text: per column, the caller's parser
 * for the type if it has one, else PGlite's (a lookup, not PGlite's merge of both into a new
 * object, which costs ~0.1 ms per query with its ~330 parsers).
 */
function toResults(raw: RawResults, base: Parsers, options: QueryOptions | undefined): Results {
  const own = options?.parsers as Parsers | undefined;
  const { fields } = raw;
  const handlers = fields.map(({ dataTypeID: oid }) => {
    // what `{ ...base, ...own }[oid]` would hold: an own enumerable entry of the caller's wins
    const chosen = own && Object.prototype.propertyIsEnumerable.call(own, oid) ? own[oid] : base[oid];
    return chosen ?? (types.parsers as Parsers)[oid];
  });
  const objects = options?.rowMode !== "array";
  const rows = raw.rows.map((row) => {
    const values = row.map((x, i) => {
      if (x === null) return null;
      const handler = handlers[i];
      return handler ? handler(x, fields[i]?.dataTypeID) : x;
    });
    return objects ? Object.fromEntries(values.map((v, i) => [fields[i]?.name, v])) : values;
  });
  return { ...raw, rows } as Results;
}

function rebuildError(error: WorkerError, context: Pending["context"]): Error {
  const { message, stack, errorClass, ...fields } = error;
  let e: Error;
  if (errorClass === "TransactionAbortedError") e = new TransactionAbortedError();
  else if (errorClass === "DatabaseError") {
    e = new messages.DatabaseError(message, fields.length as number, fields.name as never);
  } else {
    e = new Error(message);
  }
  Object.assign(e, fields);
  if (context && "queryOptions" in fields) {
    Object.assign(e, { params: context.params, queryOptions: context.options });
  }
  if (stack) e.stack = stack;
  return e;
}

/** A Uint8Array (or Buffer) that views part of a larger buffer is copied: only its bytes cross. */
function compact(value: unknown): unknown {
  return value instanceof Uint8Array && value.byteLength !== value.buffer.byteLength
    ? new Uint8Array(value)
    : value;
}

function unsupported(options: QueryOptions | undefined) {
  for (const key of ["serializers", "blob", "onNotice"] as const) {
    if (options?.[key] !== undefined)
      throw new Error(`PGliteThread: the ${key} query option is not supported`);
  }
}

export interface PGliteThreadOptions {
  /** PGlite's data directory (PGliteOptions.dataDir). */
  dataDir: string;
  /** Defaults to pgliteWorkerFile(). */
  workerFile?: string;
}

/** PGlite on a worker thread, for `new PrismaPGlite(thread as unknown as PGlite)`. */
export class PGliteThread {
  readonly waitReady: Promise<void>;
  /** The thread PGlite runs on (for tests and measurements: worker.performance, threadId). */
  readonly worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #parsers: Parsers = {};
  #starting = true;
  #refed = true;
  #ready = false;
  #closing: Promise<void> | undefined;
  #closed = false;
  #failure: Error | undefined;
  #exited: Promise<unknown>;

  constructor(options: PGliteThreadOptions) {
    const file = options.workerFile ?? pgliteWorkerFile();
    if (!existsSync(file)) throw new Error(`PGlite worker not found: ${file}`);
    // A path computed at runtime, through a constructor the bundlers cannot see: see NodeWorker.
    this.worker = new NodeWorker(file, {
      workerData: { dataDir: options.dataDir },
      execArgv: [],
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.waitReady = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // Rejections reach callers through query()/exec()/…; an unused handle must not crash the process.
    this.waitReady.catch(() => {});

    this.worker.on("message", (msg: Reply | Status) => {
      if ("op" in msg) {
        this.#starting = false;
        this.#updateRef();
        if (msg.op === "ready") {
          this.#parsers = defaultParsers(msg.arrayTypes);
          this.#ready = true;
          readyResolve();
        } else {
          const e = rebuildError(msg.error, undefined);
          this.#fail(e);
          readyReject(e);
          void this.worker.terminate();
        }
        return;
      }
      const pending = this.#pending.get(msg.id);
      if (!pending) return;
      this.#pending.delete(msg.id);
      this.#updateRef();
      if (msg.ok) pending.resolve(msg);
      else pending.reject(rebuildError(msg.error, pending.context));
    });
    this.worker.on("error", (e) => {
      this.#fail(e);
      readyReject(e);
    });
    this.#exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.on("exit", (code) => {
      const e = new Error(`The PGlite worker thread exited (code ${code})`);
      if (!this.#closing) this.#fail(e);
      readyReject(e);
      this.#rejectPending(e);
    });
    this.#updateRef();
  }

  /** Like PGlite.create(): resolves once the database is open. */
  static async create(options: PGliteThreadOptions): Promise<PGliteThread> {
    const thread = new PGliteThread(options);
    await thread.waitReady;
    return thread;
  }

  get ready(): boolean {
    return this.#ready && !this.#closing && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  // Requests are posted at once, in call order, even before the worker is ready: it answers them
  // in that order after its "ready" message (which brings the array types the parsers need).

  async query<T>(query: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    this.#checkOpen();
    return this.#query<T>(query, params, options, undefined);
  }

  async exec(query: string, options?: QueryOptions): Promise<Results[]> {
    this.#checkOpen();
    return this.#exec(query, options, undefined);
  }

  /**
   * As PGlite's: holds the database for the callback (other queries wait for it), commits when
   * it returns, rolls back when it throws or calls tx.rollback().
   */
  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const txId = (await this.#request({ op: "begin" })).txId as number;
    let closed = false;
    let rolledBack: Promise<unknown> | undefined;
    const checkClosed = () => {
      if (closed) throw new Error("Transaction is closed");
    };
    const tx = {
      query: async <R>(query: string, params: unknown[] = [], options?: QueryOptions) => {
        checkClosed();
        return this.#query<R>(query, params, options, txId);
      },
      exec: async (query: string, options?: QueryOptions) => {
        checkClosed();
        return this.#exec(query, options, txId);
      },
      rollback: async () => {
        checkClosed();
        closed = true;
        rolledBack = this.#request({ op: "rollback", txId });
        await rolledBack;
      },
      sql: async () => {
        throw new Error("PGliteThread: tx.sql is not supported");
      },
      listen: async () => {
        throw new Error("PGliteThread: tx.listen is not supported");
      },
      get closed() {
        return closed;
      },
    } as unknown as Transaction;

    let result: T;
    try {
      result = await callback(tx);
    } catch (e) {
      if (!closed) {
        closed = true;
        await this.#request({ op: "rollback", txId });
      }
      throw e;
    }
    if (!closed) {
      closed = true;
      await this.#request({ op: "commit", txId });
    } else {
      // rolled back by the callback (pglite-prisma-adapter does not await it): wait for the end
      await rolledBack;
    }
    return result;
  }

  /** Closes PGlite (after the queries already sent) and ends the thread. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = this.#close();
      this.#updateRef(); // ref'd until the thread has ended: an awaited close() must not be cut short
    }
    return this.#closing;
  }

  async #close() {
    try {
      if (!this.#failure) {
        await this.#request({ op: "close" });
        // The worker ends by itself once PGlite has closed; terminate() is the fallback.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.#exited, new Promise((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
      }
    } finally {
      this.#closed = true;
      await this.worker.terminate();
    }
  }

  #checkOpen() {
    if (this.#closed) throw new Error("PGlite is closed");
    if (this.#closing) throw new Error("PGlite is closing");
    if (this.#failure) throw this.#failure;
  }

  async #query<T>(
    sql: string,
    params: unknown[],
    options: QueryOptions | undefined,
    txId: number | undefined,
  ): Promise<Results<T>> {
    unsupported(options);
    const request: Request = { op: "query", sql, params: params.map(compact), txId };
    if (options?.paramTypes) request.paramTypes = options.paramTypes;
    const reply = await this.#request(request, { params, options });
    return toResults(reply.result as RawResults, this.#parsers, options) as Results<T>;
  }

  async #exec(sql: string, options: QueryOptions | undefined, txId: number | undefined): Promise<Results[]> {
    unsupported(options);
    const reply = await this.#request({ op: "exec", sql, txId }, { params: undefined, options });
    return (reply.results as RawResults[]).map((r) => toResults(r, this.#parsers, options));
  }

  #request(request: Request, context?: Pending["context"]): Promise<OkReply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // Throws (DataCloneError) for a value that cannot cross threads, e.g. a function.
      this.worker.postMessage({ ...request, id });
      this.#pending.set(id, { resolve, reject, context });
      this.#updateRef();
    });
  }

  /** The thread keeps the process alive only while an answer is awaited, as in-thread PGlite. */
  #updateRef() {
    const ref = this.#starting || this.#pending.size > 0 || (this.#closing !== undefined && !this.#closed);
    if (ref === this.#refed) return;
    this.#refed = ref;
    if (ref) this.worker.ref();
    else this.worker.unref();
  }

  #fail(e: Error) {
    this.#failure ??= e;
    this.#rejectPending(e);
  }

  #rejectPending(e: Error) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#updateRef();
    for (const p of pending) p.reject(e);
  }
}
