import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDbClient, type DbHandle } from "@/lib/db";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";
import { checkReadiness, closeHealthRedis, expectedMigrations, readinessBody } from "./health";

// Readiness against real dependencies: a migrated PGlite directory, PostgreSQL databases with and
// without the schema, a closed port and the machine's Redis.

const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** A TCP port with nothing listening on it (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const shipped = expectedMigrations();
// The probe's own 4 s bound is for load balancers; a loaded test machine must not turn a slow
// first query into "unreachable". The unreachable cases below are refused connections, not waits.
const timeoutMs = 30_000;

describe("readiness on the embedded database", () => {
  let dataDir: string;
  let handle: DbHandle;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "byok-health-"));
    await migrate({ dataDir, log: () => {} });
    handle = createDbClient({ dataDir, purpose: "lib/health tests" });
  });
  afterAll(async () => {
    await handle?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(() => closeHealthRedis());

  it("reads the shipped migrations from prisma/migrations", () => {
    expect(shipped.length).toBeGreaterThan(0);
    expect(shipped.every((n) => /^\d{14}_/.test(n))).toBe(true);
  });

  it("is ready when every shipped migration is applied and Redis is not configured", async () => {
    const r = await checkReadiness({ db: handle.prisma, migrations: shipped, timeoutMs });
    expect(r).toEqual({ ready: true, checks: { database: "ok", redis: "not_configured" } });
  });

  it("is not ready when the build ships a migration the database lacks", async () => {
    const r = await checkReadiness({
      db: handle.prisma,
      migrations: [...shipped, "29991231000000_next"],
      timeoutMs,
    });
    expect(r).toEqual({ ready: false, checks: { database: "not_migrated", redis: "not_configured" } });
  });

  it("is not ready when Redis is configured but nothing answers", async () => {
    const port = await closedPort();
    const r = await checkReadiness({
      db: handle.prisma,
      migrations: shipped,
      redisUrl: `redis://127.0.0.1:${port}`,
      timeoutMs,
    });
    expect(r).toEqual({ ready: false, checks: { database: "ok", redis: "unreachable" } });
  });

  it("is ready with a reachable Redis, and says so again on the next probe", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await checkReadiness({
        db: handle.prisma,
        migrations: shipped,
        redisUrl: REDIS_URL,
        timeoutMs,
      });
      expect(r).toEqual({ ready: true, checks: { database: "ok", redis: "ok" } });
    }
  });

  it("a failed migration (a row without finished_at) is not migrated", async () => {
    await handle.prisma.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('failed-one', 'x', '29991231000001_broken', now(), 0)`,
    );
    try {
      const r = await checkReadiness({ db: handle.prisma, migrations: shipped, timeoutMs });
      expect(r.checks.database).toBe("not_migrated");
      expect(r.ready).toBe(false);
    } finally {
      await handle.prisma.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE id = 'failed-one'`);
    }
  });
});

describe("readiness when the database cannot be reached", () => {
  it("answers unreachable, without the driver's message", async () => {
    const port = await closedPort();
    const handle = createDbClient({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/nothing` });
    try {
      const r = await checkReadiness({ db: handle.prisma, migrations: shipped, timeoutMs });
      expect(r).toEqual({ ready: false, checks: { database: "unreachable", redis: "not_configured" } });
    } finally {
      await handle.close();
    }
  });
});

describePostgres("readiness on PostgreSQL", () => {
  it("an empty database is reachable but not migrated; migrated, it is ready", async () => {
    const pg = await tempDatabase();
    const handle = createDbClient({ databaseUrl: pg.url });
    try {
      const before = await checkReadiness({ db: handle.prisma, migrations: shipped, timeoutMs });
      expect(before.checks.database).toBe("not_migrated");
      await migrate({ databaseUrl: pg.url, log: () => {} });
      const after = await checkReadiness({ db: handle.prisma, migrations: shipped, timeoutMs });
      expect(after).toEqual({ ready: true, checks: { database: "ok", redis: "not_configured" } });
    } finally {
      await handle.close();
      await pg.drop();
    }
  });
});

describe("readinessBody", () => {
  it("a ready instance says only that", () => {
    expect(readinessBody({ ready: true, checks: { database: "ok", redis: "not_configured" } })).toEqual({
      status: "ready",
    });
    expect(readinessBody({ ready: true, checks: { database: "ok", redis: "ok" } })).toEqual({
      status: "ready",
    });
  });

  it("names only the failing dependencies", () => {
    expect(readinessBody({ ready: false, checks: { database: "ok", redis: "unreachable" } })).toEqual({
      code: "NOT_READY",
      message: "A dependency of this instance is not available.",
      failing: { redis: "unreachable" },
    });
    expect(
      readinessBody({ ready: false, checks: { database: "not_migrated", redis: "not_configured" } }),
    ).toMatchObject({ code: "NOT_READY", failing: { database: "not_migrated" } });
  });
});
