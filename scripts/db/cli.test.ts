import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { describePostgres, tempDatabase } from "@/test/postgres";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs a program with the repo as cwd; resolves with its exit code and output. */
function run(cmd: string, args: string[], env: Record<string, string>, cwd = root) {
  const { PRISMA_SCHEMA_ENGINE_BINARY: _, ...inherited } = process.env;
  const child = spawn(cmd, args, { cwd, env: { ...inherited, ...env, NO_COLOR: "1" } });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out })),
  );
}

const prisma = (args: string[], databaseUrl: string, cwd = root) =>
  run(path.join(root, "node_modules/.bin/prisma"), args, { DATABASE_URL: databaseUrl }, cwd);

/** A throwaway copy of the project's Prisma setup, so `migrate dev` can write migrations. */
function scratchProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "byok-prisma-"));
  cpSync(path.join(root, "prisma"), path.join(dir, "prisma"), { recursive: true });
  cpSync(path.join(root, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  mkdirSync(path.join(dir, "scripts"));
  symlinkSync(path.join(root, "scripts/schema-engine.mjs"), path.join(dir, "scripts/schema-engine.mjs"));
  symlinkSync(path.join(root, "scripts/db"), path.join(dir, "scripts/db"));
  return dir;
}

describePostgres("the unchanged Prisma CLI through scripts/schema-engine.mjs", () => {
  const dbs: { drop: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it("migrate deploy, status and diff work against a fresh database", { timeout: 90_000 }, async () => {
    const tmp = await tempDatabase(false);
    dbs.push(tmp);

    const deploy = await prisma(["migrate", "deploy"], tmp.url);
    expect(deploy.out).toContain("20261122234839_init");
    expect(deploy.out).toContain("All migrations have been successfully applied");
    expect(deploy.code).toBe(0);

    const status = await prisma(["migrate", "status"], tmp.url);
    expect(status.out).toContain("Database schema is up to date");
    expect(status.code).toBe(0);

    // The hand-written full-text index must not read as drift against the schema.
    const diff = await prisma(
      ["migrate", "diff", "--from-config-datasource", "--to-schema", "prisma/schema.prisma", "--exit-code"],
      tmp.url,
    );
    expect(diff.out).toContain("No difference detected");
    expect(diff.code).toBe(0);

    // Replays the migrations in a shadow database: they must produce exactly the schema.
    const shadow = await prisma(
      [
        "migrate",
        "diff",
        "--from-migrations",
        "prisma/migrations",
        "--to-schema",
        "prisma/schema.prisma",
        "--exit-code",
      ],
      tmp.url,
    );
    expect(shadow.out).toContain("No difference detected");
    expect(shadow.code).toBe(0);
  });

  it("migrate dev creates and applies a new migration (shadow database included)", {
    timeout: 90_000,
  }, async () => {
    const dir = scratchProject();
    const tmp = await tempDatabase(false);
    dbs.push(tmp, { drop: async () => rmSync(dir, { recursive: true, force: true }) });
    const schemaFile = path.join(dir, "prisma/schema.prisma");
    const schema = readFileSync(schemaFile, "utf8");
    const changed = schema.replace(/^(\s*title\s+String.*)$/m, "$1\n  pinned    Boolean  @default(false)");
    expect(changed).not.toBe(schema);
    writeFileSync(schemaFile, changed);

    // On a fresh database: applies init, then diffs the history (replayed in a shadow database).
    const dev = await prisma(["migrate", "dev", "--name", "add_pinned"], tmp.url, dir);
    expect(dev.out).toContain("Your database is now in sync with your schema");
    expect(dev.code).toBe(0);
    const created = readdirSync(path.join(dir, "prisma/migrations")).find((d) => d.endsWith("_add_pinned"));
    expect(created).toBeDefined();
    const sql = readFileSync(path.join(dir, "prisma/migrations", created ?? "", "migration.sql"), "utf8");
    expect(sql).toContain(`ADD COLUMN     "pinned" BOOLEAN NOT NULL DEFAULT false`);
    expect(sql).not.toContain("Message_content_fts_idx");
  });

  it("reports a missing database with P1003 in one-shot mode", async () => {
    const tmp = await tempDatabase(false);
    const datasource = JSON.stringify({ url: tmp.url });
    const r = await run(
      path.join(root, "scripts/schema-engine.mjs"),
      ["--datasource", datasource, "cli", "can-connect-to-database"],
      {},
    );
    expect(r.code).toBe(1);
    const record = JSON.parse(r.out.trim().split("\n").at(-1) ?? "");
    expect(record).toMatchObject({ level: "ERROR", fields: { error_code: "P1003" } });
  });
});
