// Is the test PostgreSQL server reachable? Shared by the Vitest helper (test/postgres.ts)
// and Playwright specs that need PostgreSQL (e2e/scale-out.spec.ts). Plain Node, no test runner.
import { adminQuery } from "./engine.mjs";

export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** Undefined when PostgreSQL answers; otherwise why not, for a skip message. */
export async function postgresUnavailable(url = TEST_POSTGRES_URL) {
  try {
    await adminQuery(url, "SELECT 1");
    return undefined;
  } catch (e) {
    return `PostgreSQL unreachable at ${new URL(url).host} (${e?.message || e?.code})`;
  }
}

/** CI sets REQUIRE_POSTGRES=1: a missing PostgreSQL then fails the suites instead of skipping them. */
export const postgresRequired = () => process.env.REQUIRE_POSTGRES === "1";
