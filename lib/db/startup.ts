import { db } from "@/lib/db";
import { registerDatabaseProbe } from "@/lib/db/availability";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { startControlSocket } from "@/lib/operator/control-socket";

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
    // Our own message (e.g. which process holds the data directory) is what the operator needs;
    // the logger redacts credentials in it, such as a password in DATABASE_URL.
    log.error("db.startup_failed", { error: e });
    process.exit(1);
  }
  // Embedded mode: `npm run admin` reaches the database through this server (lib/operator/control-socket.ts).
  if (env().embedded) {
    try {
      await startControlSocket(env().dataDir);
    } catch (e) {
      log.warn("operator.control_socket_failed", { error: e });
    }
  }
}
