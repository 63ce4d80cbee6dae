// Runs once when the server process starts. In embedded mode it opens the database now, so the
// data-directory lock is held from the first second: a second `npm start` or a migration run
// against the same directory then fails fast instead of corrupting PGlite's files.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { db } = await import("@/lib/db");
  try {
    await db().$queryRaw`SELECT 1`;
  } catch (e) {
    console.error(`\n✗ ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
