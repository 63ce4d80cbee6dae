// Test helper: PostgreSQL-backed tests run against TEST_POSTGRES_URL in databases of their own.
// Unreachable → the suite is skipped with the reason in its name, unless REQUIRE_POSTGRES=1
// (CI), where it fails instead.
import { randomBytes } from "node:crypto";
import { describe, it } from "vitest";
import { adminQuery, dropDatabase, withDatabase } from "@/scripts/db/engine.mjs";
import { postgresRequired, postgresUnavailable, TEST_POSTGRES_URL } from "@/scripts/db/postgres-probe.mjs";

export { TEST_POSTGRES_URL };

const unavailable = await postgresUnavailable();

/**
 * When PostgreSQL is unreachable, registers what stands in for suite `name` (a failing test
 * under REQUIRE_POSTGRES=1, else a skipped suite naming the reason) and returns true.
 */
export function standInWithoutPostgres(name: string): boolean {
  if (!unavailable) return false;
  if (postgresRequired()) {
    describe(name, () => {
      it("needs PostgreSQL (REQUIRE_POSTGRES=1)", () => {
        throw new Error(unavailable);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${unavailable}`);
    describe.skip(`${name} — skipped: ${unavailable}`, () => undefined);
  }
  return true;
}

export function describePostgres(name: string, body: () => void): void {
  if (!standInWithoutPostgres(name)) describe(name, () => body());
}

/** A URL for a database name of our own; nothing is created (pass create: true to create it). */
export async function tempDatabase(create = true): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `byok_test_${randomBytes(6).toString("hex")}`;
  const url = withDatabase(TEST_POSTGRES_URL, name);
  if (create) await adminQuery(TEST_POSTGRES_URL, `CREATE DATABASE "${name}"`);
  return { url, drop: () => dropDatabase(url) };
}
