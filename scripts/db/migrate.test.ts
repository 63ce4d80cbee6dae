import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { describePostgres, tempDatabase } from "@/test/postgres";
import { migrate } from "../migrate.mjs";
import { adminQuery } from "./engine.mjs";

// Every migration folder, oldest first (a new migration must not need this test edited).
const MIGRATIONS = readdirSync(path.join(import.meta.dirname, "../../prisma/migrations"), {
  withFileTypes: true,
})
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const quiet = () => {};

describe("migrate() on a fresh PGlite directory", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "byok-migrate-"));
  const dataDir = path.join(root, "not-yet-created");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("creates the data dir, applies every migration, then nothing on a re-run", async () => {
    const lines: string[] = [];
    const first = await migrate({ dataDir, log: (l) => lines.push(l) });
    expect(first.applied).toEqual(MIGRATIONS);
    expect(MIGRATIONS[0]).toBe("20261122234839_init");
    expect(lines.at(-1)).toMatch(
      new RegExp(`^migrate: applied ${MIGRATIONS.length} migration\\(s\\) to PGlite .*not-yet-created`),
    );

    const again = await migrate({ dataDir, log: (l) => lines.push(l) });
    expect(again.applied).toEqual([]);
    expect(lines.at(-1)).toMatch(/is up to date/);

    const pglite = await PGlite.create({ dataDir: path.join(dataDir, "pglite") });
    try {
      const rows = await pglite.query<{ migration_name: string; finished_at: Date | null }>(
        `SELECT migration_name, finished_at FROM _prisma_migrations`,
      );
      expect(rows.rows.map((r) => r.migration_name)).toEqual(MIGRATIONS);
      expect(rows.rows[0]?.finished_at).toBeInstanceOf(Date);
      const idx = await pglite.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'Message_content_fts_idx'`);
      expect(idx.rows).toHaveLength(1);
    } finally {
      await pglite.close();
    }
  });
});

describePostgres("migrate() on PostgreSQL", () => {
  const dbs: { drop: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it("creates the database, applies every migration, then nothing on a re-run", async () => {
    const tmp = await tempDatabase(false);
    dbs.push(tmp);
    expect((await migrate({ databaseUrl: tmp.url, log: quiet })).applied).toEqual(MIGRATIONS);
    expect((await migrate({ databaseUrl: tmp.url, log: quiet })).applied).toEqual([]);

    const rows = await adminQuery(tmp.url, `SELECT migration_name, finished_at FROM _prisma_migrations`);
    expect(rows.rows.map((r) => r.migration_name)).toEqual(MIGRATIONS);
    expect(rows.rows[0]?.finished_at).toBeInstanceOf(Date);
    const idx = await adminQuery(
      tmp.url,
      `SELECT 1 FROM pg_indexes WHERE indexname = 'Message_content_fts_idx'`,
    );
    expect(idx.rowCount).toBe(1);
  });
});
