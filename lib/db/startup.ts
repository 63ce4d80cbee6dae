import { db } from "@/lib/db";
import { registerDatabaseProbe } from "@/lib/db/availability";

/**
 * Opens the database when the server starts. In embedded mode this takes the data-directory
 * lock from the first second, so a second `npm start` or a migration run against the same
 * directory fails fast instead of corrupting PGlite's files; a server that cannot open its
 * database stops with the reason rather than failing every request.
 */
export async function openDatabaseAtStartup() {
  try {
    await db().$queryRaw`SELECT 1`;
    // What proxy.ts asks before rendering a page (lib/db/availability.ts).
    registerDatabaseProbe(() => db().$queryRaw`SELECT 1`);
  } catch (e) {
    console.error(`\n✗ ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
