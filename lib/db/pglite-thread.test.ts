import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { messages, PGlite, TransactionAbortedError } from "@electric-sql/pglite";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Prisma } from "@/lib/db/generated/client";
import { migrate } from "@/test/harness";
import { createDbClient, type DbHandle, type PrismaClient } from "./index";
import { readDataDirLock } from "./lock.mjs";
import { PGliteThread } from "./pglite-thread";

// PGlite on a worker thread must answer exactly as PGlite in-thread: the same Prisma results,
// errors, transactions and locking. Each comparison runs the same operations on two copies of
// one migrated directory, one per mode, open side by side.

const root = mkdtempSync(path.join(os.tmpdir(), "byok-pglite-thread-"));
const template = path.join(root, "template");
let copies = 0;
/** A fresh copy of the migrated template directory. */
function freshDir(): string {
  const dir = path.join(root, `copy${++copies}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  await migrate({ dataDir: template, log: () => {} });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (iso: string) => new Date(iso);

/** Rows covering every column type of prisma/schema.prisma, nullable ones both set and null. */
async function seed(prisma: PrismaClient) {
  const t0 = at("2024-02-29T23:59:58.123Z");
  const t1 = at("1999-12-31T00:00:00.000Z");
  await prisma.user.create({
    data: {
      id: "u1",
      email: "ada@example.test",
      name: "Ada ✓ \"quoted\" 'single' \\ back",
      image: "https://example.test/a.png",
      passwordHash: "$argon2id$v=19$x",
      emailVerified: t1,
      createdAt: t0,
      updatedAt: t0,
    },
  });
  await prisma.user.create({ data: { id: "u2", email: "bob@example.test", createdAt: t1, updatedAt: t1 } });
  await prisma.account.create({
    data: {
      id: "a1",
      userId: "u1",
      type: "oauth",
      provider: "github",
      providerAccountId: "42",
      createdAt: t0,
    },
  });
  await prisma.providerKey.create({
    data: {
      id: "k1",
      userId: "u1",
      provider: "openai",
      label: null,
      baseUrl: "http://127.0.0.1:11434/v1",
      ciphertext: "v1.abc",
      kid: "kid1",
      version: 2147483647,
      prefix: "sk-",
      last4: "abcd",
      status: "NO_CREDIT",
      enabled: false,
      lastTestedAt: t1,
      lastTestMs: -1,
      lastUsedAt: null,
      createdAt: t0,
      updatedAt: t0,
    },
  });
  await prisma.providerKey.create({
    data: {
      id: "k2",
      userId: "u1",
      provider: "groq",
      ciphertext: "v1.def",
      kid: "kid1",
      prefix: "gsk_",
      last4: "wxyz",
      createdAt: t1,
      updatedAt: t1,
    },
  });
  await prisma.aiSettings.create({
    data: { userId: "u1", defaultProvider: "openai", defaultModel: null, updatedAt: t0 },
  });
  await prisma.chat.create({ data: { id: "c1", userId: "u1", createdAt: t0, updatedAt: t0 } });
  const parts = [
    { type: "text", text: "héllo 🦊 \t tab", n: 1.5, big: 9007199254740991, nested: { a: [null, true] } },
  ];
  await prisma.message.createMany({
    data: [
      { id: "m1", chatId: "c1", userId: "u1", role: "user", content: "hi", parts, createdAt: t0 },
      {
        id: "m2",
        chatId: "c1",
        userId: "u1",
        role: "assistant",
        content: "",
        parts: Prisma.JsonNull,
        model: "gpt",
        provider: "openai",
        keySource: "user",
        inputTokens: 0,
        outputTokens: 12,
        status: "STREAMING",
        errorCode: "E",
        createdAt: t1,
      },
      {
        id: "m3",
        chatId: "c1",
        userId: "u1", // a message belongs to its chat's user (composite key)
        role: "user",
        content: "x",
        parts: Prisma.DbNull,
        createdAt: t1,
      },
    ],
  });
  await prisma.usageEvent.create({
    data: {
      id: "e1",
      userId: "u1",
      provider: "openai",
      keySource: "user",
      model: "gpt",
      messageId: "m2",
      inputTokens: 3,
      outputTokens: 4,
      costMicros: 1234567,
      createdAt: t0,
    },
  });
  await prisma.auditEvent.create({
    data: { id: "ev1", userId: "u1", action: "key.save", detail: [1, "two", { three: 3 }], createdAt: t0 },
  });
  await prisma.auditEvent.create({
    data: { id: "ev2", userId: "u2", action: "key.delete", detail: "just a string", createdAt: t1 },
  });
}

/** Everything back, through the models and through raw SQL. */
async function readAll(prisma: PrismaClient) {
  const byId = { orderBy: { id: "asc" as const } };
  return {
    users: await prisma.user.findMany({ ...byId, include: { accounts: true, keys: true, settings: true } }),
    chats: await prisma.chat.findMany({ ...byId, include: { messages: { orderBy: { id: "asc" } } } }),
    usage: await prisma.usageEvent.findMany(byId),
    audit: await prisma.auditEvent.findMany(byId),
    rawKeys: await prisma.$queryRawUnsafe(`SELECT * FROM "ProviderKey" ORDER BY id`),
    rawMessages: await prisma.$queryRawUnsafe(`SELECT * FROM "Message" ORDER BY id`),
    rawUsers: await prisma.$queryRawUnsafe(`SELECT * FROM "User" ORDER BY id`),
    counts: await prisma.$queryRaw`SELECT count(*) AS n, sum("costMicros") AS s FROM "UsageEvent"`,
  };
}

/** A Prisma error as the app sees it: class, code, meta (with the driver error's cause). */
function describeError(e: unknown) {
  const err = e as Prisma.PrismaClientKnownRequestError & {
    meta?: { driverAdapterError?: { cause?: unknown } };
  };
  return {
    class: err?.constructor?.name,
    code: err.code,
    modelName: err.meta?.modelName,
    cause: err.meta?.driverAdapterError?.cause,
  };
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Prisma on the PGlite thread answers as Prisma on in-thread PGlite", () => {
  let thread: DbHandle;
  let local: DbHandle;
  const both = async <T>(fn: (prisma: PrismaClient, mode: "thread" | "local") => Promise<T>) => {
    const [a, b] = await Promise.all([fn(thread.prisma, "thread"), fn(local.prisma, "local")]);
    return { thread: a, local: b };
  };

  beforeAll(() => {
    thread = createDbClient({ dataDir: freshDir(), purpose: "pglite-thread.test", pgliteInThread: false });
    local = createDbClient({ dataDir: freshDir(), purpose: "pglite-thread.test", pgliteInThread: true });
  });
  afterAll(async () => {
    await thread?.close();
    await local?.close();
  });

  it("writes and reads every column type of the schema (text, int, boolean, timestamp(3), enums, jsonb, nulls)", async () => {
    await both(seed);
    const r = await both(readAll);
    expect(r.thread).toStrictEqual(r.local);
    // and the values are the ones written
    const ada = r.thread.users[0];
    expect(ada).toMatchObject({ id: "u1", emailVerified: at("1999-12-31T00:00:00.000Z") });
    expect(ada?.createdAt.toISOString()).toBe("2024-02-29T23:59:58.123Z");
    expect(ada?.keys.map((k) => [k.status, k.enabled, k.version, k.lastTestMs, k.label])).toEqual([
      ["NO_CREDIT", false, 2147483647, -1, null],
      ["UNTESTED", true, 1, null, null],
    ]);
    expect(r.thread.chats[0]?.messages.map((m) => m.parts)).toEqual([
      [{ type: "text", text: "héllo 🦊 \t tab", n: 1.5, big: 9007199254740991, nested: { a: [null, true] } }],
      null, // JSON null
      null, // SQL NULL
    ]);
    expect(r.thread.audit.map((a) => a.detail)).toEqual([[1, "two", { three: 3 }], "just a string"]);
    expect(r.thread.counts).toEqual([{ n: 1n, s: 1234567n }]);
  });

  it("$queryRaw with Date, number, boolean, bigint, bytes and array parameters", async () => {
    const d = at("2023-06-15T12:34:56.789Z");
    const r = await both(
      (prisma) => prisma.$queryRaw`
        SELECT ${d}::timestamp(3) AS ts, ${d}::timestamptz AS tstz, ${d}::date AS day,
          ${42} AS int_text, ${42}::int4 AS int, ${3.25}::float8 AS float, ${0.1}::numeric AS num,
          ${true} AS bool_text, ${false}::boolean AS bool, ${"it's"} AS str, ${null}::text AS nothing,
          ${9007199254740993n}::int8 AS big, ${Buffer.from([0, 1, 254, 255])}::bytea AS bytes,
          ${[1, 2, 3]}::int4[] AS ints, ARRAY['a', NULL, 'c"q']::text[] AS texts,
          '{"a": [1, 2.50, "x"]}'::jsonb AS doc, '123456789012345678901234.5678'::numeric AS wide,
          ARRAY[${d}::timestamp(3)] AS tss, '\\xdeadbeef'::bytea AS hex, 'VALID'::"KeyStatus" AS status,
          ARRAY['VALID'::"KeyStatus"] AS statuses, '12:00'::time AS clock`,
    );
    expect(r.thread).toStrictEqual(r.local);
    expect(r.thread).toMatchObject([{ ts: d, int: 42, float: 3.25, bool: false, big: 9007199254740993n }]);
    const where = await both(
      (prisma) =>
        prisma.$queryRaw`SELECT id, "createdAt" FROM "User" WHERE "createdAt" > ${at("2000-01-01T00:00:00Z")}
        AND ${true} AND length(email) > ${3} ORDER BY id`,
    );
    expect(where.thread).toStrictEqual(where.local);
    expect(where.thread).toEqual([{ id: "u1", createdAt: at("2024-02-29T23:59:58.123Z") }]);
  });

  it("an interactive transaction that returns commits", async () => {
    const r = await both((prisma) =>
      prisma.$transaction(async (tx) => {
        const u = await tx.user.create({ data: { id: "tx-ok", email: "tx-ok@example.test" } });
        await tx.chat.create({ data: { id: "tx-ok-chat", userId: u.id, title: "in tx" } });
        return tx.chat.count({ where: { userId: u.id } });
      }),
    );
    expect(r).toEqual({ thread: 1, local: 1 });
    const after = await both((prisma) =>
      prisma.chat.findUnique({
        where: { userId_id: { userId: "tx-ok", id: "tx-ok-chat" } },
        select: { title: true },
      }),
    );
    expect(after).toEqual({ thread: { title: "in tx" }, local: { title: "in tx" } });
  });

  it("an interactive transaction that throws rolls back: its rows do not persist", async () => {
    const r = await both(async (prisma) =>
      caught(
        prisma.$transaction(async (tx) => {
          await tx.user.create({ data: { id: "tx-bad", email: "tx-bad@example.test" } });
          expect(await tx.user.count({ where: { id: "tx-bad" } })).toBe(1);
          throw new Error("changed my mind");
        }),
      ),
    );
    expect((r.thread as Error).message).toBe("changed my mind");
    expect((r.local as Error).message).toBe("changed my mind");
    expect(await both((prisma) => prisma.user.count({ where: { id: "tx-bad" } }))).toEqual({
      thread: 0,
      local: 0,
    });
    // the database is usable after: the next transaction commits
    await both((prisma) =>
      prisma.$transaction([prisma.user.create({ data: { email: "after@example.test" } })]),
    );
    expect(await both((prisma) => prisma.user.count({ where: { email: "after@example.test" } }))).toEqual({
      thread: 1,
      local: 1,
    });
  });

  it("a unique-constraint violation is P2002 with the same details, also inside a transaction", async () => {
    const dup = await both((prisma) => caught(prisma.user.create({ data: { email: "ada@example.test" } })));
    expect(describeError(dup.thread)).toStrictEqual(describeError(dup.local));
    expect(describeError(dup.thread)).toMatchObject({
      class: "PrismaClientKnownRequestError",
      code: "P2002",
      cause: { originalCode: "23505", kind: "UniqueConstraintViolation", constraint: { fields: ["email"] } },
    });

    const inTx = await both((prisma) =>
      caught(
        prisma.$transaction(async (tx) => {
          await tx.user.create({ data: { id: "tx-dup", email: "tx-dup@example.test" } });
          await tx.user.create({ data: { email: "bob@example.test" } });
        }),
      ),
    );
    expect(describeError(inTx.thread)).toStrictEqual(describeError(inTx.local));
    expect(describeError(inTx.thread).code).toBe("P2002");
    expect(await both((prisma) => prisma.user.count({ where: { id: "tx-dup" } }))).toEqual({
      thread: 0,
      local: 0,
    });
  });

  it("queries from outside wait for an open transaction instead of running inside it", async () => {
    const r = await both(async (prisma) => {
      const events: string[] = [];
      let txWrote!: () => void;
      const wrote = new Promise<void>((resolve) => {
        txWrote = resolve;
      });
      // A transaction that writes a row, lets outside queries queue up, then fails and rolls back.
      const tx = caught(
        prisma.$transaction(
          async (tx) => {
            await tx.user.create({ data: { id: "tx-wait", email: "tx-wait@example.test" } });
            txWrote();
            await sleep(150);
            events.push("tx still open");
            await tx.user.update({ where: { id: "tx-wait" }, data: { name: "x" } });
            throw new Error("roll back");
          },
          { timeout: 10_000 },
        ),
      ).then(() => events.push("tx ended"));
      await wrote;
      // Inside the transaction these would see the uncommitted row (and the insert would be a
      // duplicate); after its rollback there is no such row.
      const t = at("2020-01-01T00:00:00Z");
      const outside = Promise.all([
        prisma.$queryRaw`SELECT count(*)::int AS n FROM "User" WHERE id = 'tx-wait'`,
        prisma.user.create({
          data: { id: "tx-wait", email: "outside@example.test", createdAt: t, updatedAt: t },
        }),
      ]).then((values) => {
        events.push("outside answered");
        return values;
      });
      const [raw, created] = await outside;
      await tx;
      return { events, raw, created };
    });
    expect(r.thread).toStrictEqual(r.local);
    expect(r.thread).toEqual({
      events: ["tx still open", "tx ended", "outside answered"],
      raw: [{ n: 0 }],
      created: expect.objectContaining({ id: "tx-wait", email: "outside@example.test" }),
    });
  });

  it("many concurrent queries all answer, each with its own result", async () => {
    const r = await both((prisma) =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) => prisma.$queryRaw<{ i: number }[]>`SELECT ${i}::int AS i`),
      ),
    );
    expect(r.thread).toStrictEqual(r.local);
    expect(r.thread.map((rows) => rows[0]?.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("PGliteThread answers as PGlite (its API, without Prisma)", () => {
  let thread: PGliteThread;
  let local: PGlite;
  beforeAll(async () => {
    thread = await PGliteThread.create({ dataDir: path.join(freshDir(), "pglite") });
    local = await PGlite.create({ dataDir: path.join(freshDir(), "pglite") });
  });
  afterAll(async () => {
    await thread?.close();
    await local?.close();
  });
  const both = async <T>(fn: (db: PGlite) => Promise<T>) => {
    const [a, b] = await Promise.all([fn(thread as unknown as PGlite), fn(local)]);
    return { thread: a, local: b };
  };
  /** Own enumerable fields of an error, plus its class and message (not its stack). */
  const errorShape = (e: unknown) => ({
    ...(e as object),
    message: (e as Error).message,
    isDatabaseError: e instanceof messages.DatabaseError,
    isAborted: e instanceof TransactionAbortedError,
  });

  const sql = `SELECT 1::int2 AS a, 2::int4 AS b, 9223372036854775807::int8 AS c, 1.5::float4 AS d,
      0.1::numeric AS e, true AS f, 'x'::text AS g, 'y'::varchar AS h, 'z'::char(2) AS i,
      '2024-01-02'::date AS j, '2024-01-02 03:04:05.678'::timestamp AS k,
      '2024-01-02 03:04:05.678+02'::timestamptz AS l, '{"a":1}'::json AS m, '[1,{"b":null}]'::jsonb AS n,
      '\\x00ff10'::bytea AS o, ARRAY[1,NULL,3]::int4[] AS p, ARRAY['{"x":1}'::jsonb] AS q,
      ARRAY['\\x01'::bytea, '\\x'::bytea] AS r, ARRAY[[1,2],[3,4]]::int8[] AS s, NULL::int4 AS t,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, ARRAY['2024-01-02'::date] AS v,
      'UNTESTED'::"KeyStatus" AS w, ARRAY['VALID','INVALID']::"KeyStatus"[] AS x, 7::oid AS y,
      ARRAY[true,false] AS z, $1::text AS p1, $2::int4 AS p2, $3::bytea AS p3, $4::int4[] AS p4,
      $5::timestamptz AS p5, $6::jsonb AS p6, $7::bool AS p7`;
  const params = [
    "text",
    7,
    new Uint8Array([1, 2, 3]),
    [1, 2],
    new Date("2020-01-01T00:00:00Z"),
    { k: [1, "v"] },
    true,
  ];

  it("query(): PGlite's default type parsing, both row modes, custom parsers", async () => {
    const objects = await both((db) => db.query(sql, params));
    expect(objects.thread).toStrictEqual(objects.local);
    expect(objects.thread.rows[0]).toMatchObject({
      c: 9223372036854775807n,
      o: new Uint8Array([0, 255, 16]),
    });

    const arrays = await both((db) => db.query(sql, params, { rowMode: "array" }));
    expect(arrays.thread).toStrictEqual(arrays.local);

    // Parsers keyed by type OID win over the defaults (as pglite-prisma-adapter passes them).
    const parsers = { 20: (x: string) => `int8:${x}`, 1700: (x: string) => `num:${x}`, 17: (x: string) => x };
    const custom = await both((db) => db.query(sql, params, { rowMode: "array", parsers }));
    expect(custom.thread).toStrictEqual(custom.local);
    expect((custom.thread.rows[0] as unknown[]).slice(2, 5)).toEqual([
      "int8:9223372036854775807",
      1.5,
      "num:0.1",
    ]);
  });

  it("exec(): several statements, affected rows, results in order", async () => {
    const script = `CREATE TEMP TABLE t (id int primary key, v text);
      INSERT INTO t VALUES (1, 'a'), (2, NULL);
      UPDATE t SET v = 'b' WHERE id = 2;
      SELECT * FROM t ORDER BY id;
      DROP TABLE t;`;
    const r = await both((db) => db.exec(script));
    expect(r.thread).toStrictEqual(r.local);
    expect(r.thread.map((x) => x.affectedRows)).toEqual([0, 2, 3, 3, 3]);
    expect(r.thread[3]?.rows).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
    ]);
  });

  it("errors are PGlite DatabaseErrors with the same fields", async () => {
    const cases = [
      (db: PGlite) => db.query("SELECT * FROM nope WHERE x = $1", [1]),
      (db: PGlite) => db.query("SELECT 1/0", [], { rowMode: "array" }),
      (db: PGlite) =>
        db.query(
          `INSERT INTO "User" (id, email, "createdAt", "updatedAt") VALUES ('u', NULL, '2020-01-01', '2020-01-01')`,
        ),
      (db: PGlite) => db.exec("SELEC 1"),
    ];
    for (const run of cases) {
      const r = await both((db) => caught(run(db)));
      expect(errorShape(r.thread)).toStrictEqual(errorShape(r.local));
      expect(errorShape(r.thread)).toMatchObject({ isDatabaseError: true, severity: "ERROR" });
    }
    // a failed statement leaves the database usable
    expect((await both((db) => db.query("SELECT 1 AS one"))).thread.rows).toEqual([{ one: 1 }]);
  });

  it("transaction(): commit, rollback by throwing, tx.rollback(), aborted commit", async () => {
    await both((db) => db.exec("CREATE TABLE tt (id int primary key)"));
    const committed = await both((db) =>
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO tt VALUES ($1)", [1]);
        await tx.exec("INSERT INTO tt VALUES (2)");
        return (await tx.query("SELECT count(*)::int AS n FROM tt")).rows;
      }),
    );
    expect(committed).toEqual({ thread: [{ n: 2 }], local: [{ n: 2 }] });

    const thrown = await both((db) =>
      caught(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO tt VALUES (3)");
          throw new Error("no");
        }),
      ),
    );
    expect((thrown.thread as Error).message).toBe("no");

    const rolledBack = await both((db) =>
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO tt VALUES (4)");
        await tx.rollback();
        return [tx.closed, await caught(tx.query("SELECT 1")).then((e) => (e as Error).message)];
      }),
    );
    expect(rolledBack.thread).toEqual(rolledBack.local);
    expect(rolledBack.thread).toEqual([true, "Transaction is closed"]);

    const aborted = await both((db) =>
      caught(
        db.transaction(async (tx) => {
          await caught(tx.query("INSERT INTO tt VALUES (1)")); // duplicate: the transaction is aborted
        }),
      ),
    );
    expect(errorShape(aborted.thread)).toStrictEqual(errorShape(aborted.local));
    expect(aborted.thread).toBeInstanceOf(TransactionAbortedError);

    const rows = await both((db) => db.query("SELECT id FROM tt ORDER BY id"));
    expect(rows.thread.rows).toEqual([{ id: 1 }, { id: 2 }]);
    expect(rows.local.rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("a query sent while a transaction is open runs after it", async () => {
    const r = await both(async (db) => {
      const order: string[] = [];
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => {
        opened = resolve;
      });
      const tx = db.transaction(async (tx) => {
        await tx.query("CREATE TEMP TABLE w (id int)");
        await tx.query("INSERT INTO w VALUES (1)");
        opened();
        await sleep(100);
        order.push("tx");
        await tx.rollback();
      });
      await isOpen;
      const outside = db.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'w'").then((res) => {
        order.push("outside");
        return res.rows;
      });
      await tx;
      return { rows: await outside, order };
    });
    expect(r.thread).toStrictEqual(r.local);
    expect(r.thread).toEqual({ rows: [{ n: 0 }], order: ["tx", "outside"] });
  });
});

describe("the worker's lifetime", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.BYOK_PGLITE_THREAD;
  });

  it("createDbClient uses the thread by default; pgliteInThread or BYOK_PGLITE_THREAD=0 opt out", async () => {
    const dataDir = freshDir();
    const query = vi.spyOn(PGliteThread.prototype, "query");
    const close = vi.spyOn(PGliteThread.prototype, "close");
    const open = async (options: { pgliteInThread?: boolean }) => {
      const handle = createDbClient({ dataDir, ...options });
      expect(await handle.prisma.user.count()).toBe(0);
      expect(readDataDirLock(dataDir)?.pid).toBe(process.pid); // the lock is the main process's
      await handle.close();
      expect(readDataDirLock(dataDir)).toBeNull();
    };

    await open({});
    expect(query).toHaveBeenCalled();
    expect(close).toHaveBeenCalledTimes(1);
    // handle.close() ended the worker thread
    expect((close.mock.contexts[0] as PGliteThread).worker.threadId).toBe(-1);

    query.mockClear();
    await open({ pgliteInThread: true });
    process.env.BYOK_PGLITE_THREAD = "0";
    await open({});
    expect(query).not.toHaveBeenCalled();
    await open({ pgliteInThread: false });
    expect(query).toHaveBeenCalled();
  });

  it("close() waits for the queries already sent, ends the worker, and later calls fail", async () => {
    const thread = new PGliteThread({ dataDir: path.join(freshDir(), "pglite") });
    const exited = once(thread.worker, "exit");
    const early = thread.query("SELECT 1 AS one"); // sent before ready and before close
    const closing = thread.close();
    expect(thread.ready).toBe(false);
    await expect(thread.query("SELECT 1")).rejects.toThrow(/PGlite is closing/);
    expect((await early).rows).toEqual([{ one: 1 }]);
    await closing;
    expect(await exited).toEqual([0]);
    expect(thread.closed).toBe(true);
    await expect(thread.query("SELECT 1")).rejects.toThrow(/PGlite is closed/);
    await thread.close(); // again: nothing to do
  });

  it("an open, idle thread does not keep the process alive; a pending query or close() does", async () => {
    const dataDir = path.join(freshDir(), "pglite");
    const module = path.resolve(import.meta.dirname, "pglite-thread.ts");
    // Top-level awaits on the thread's answers (an unref'd worker alone would let the process
    // end with them unsettled: exit code 13), then no close(): the process must still end.
    const code = `const { PGliteThread } = await import(${JSON.stringify(module)});
      const first = new PGliteThread({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify((await first.query("SELECT 40 + 2 AS n")).rows));
      await first.close();
      console.log("closed");
      const second = new PGliteThread({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify((await second.query("SELECT 1 AS n")).rows));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const [code_] = await once(child, "exit");
    clearTimeout(timer);
    expect({ code: code_, out: out.trim().split("\n"), err }).toEqual({
      code: 0,
      out: ['[{"n":42}]', "closed", '[{"n":1}]'],
      err: "",
    });
  });

  it("a missing worker file fails at once, before any lock is kept", () => {
    const dataDir = freshDir();
    process.env.BYOK_PGLITE_WORKER = path.join(root, "nope.mjs");
    try {
      expect(() => createDbClient({ dataDir })).toThrow(/PGlite worker not found: .*nope\.mjs/);
      expect(readDataDirLock(dataDir)).toBeNull();
    } finally {
      delete process.env.BYOK_PGLITE_WORKER;
    }
  });
});
