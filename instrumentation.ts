// Runs once when the server process starts: see lib/db/startup.ts.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { openDatabaseAtStartup } = await import("@/lib/db/startup");
  await openDatabaseAtStartup();
  // Shared rate limits from the first request on (REDIS_URL set); see lib/limits.ts.
  const { connectLimitStore } = await import("@/lib/limits");
  await connectLimitStore();
}
