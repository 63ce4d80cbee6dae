import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { checkReadiness, expectedMigrations } from "@/lib/health";

// GET /api/ready: readiness. 200 when the database answers and carries this build's migrations
// and Redis (when REDIS_URL is set) answers PING; 503 { code: "NOT_READY" } naming the failing
// dependency otherwise. No session: a load balancer calls it. Nothing about versions or hosts.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET() {
  const { ready, checks } = await checkReadiness({
    db: db(),
    redisUrl: env().REDIS_URL,
    migrations: expectedMigrations(),
  });
  const headers = { "Cache-Control": "no-store" };
  if (ready) return Response.json({ status: "ready", checks }, { headers });
  return Response.json(
    { code: "NOT_READY", message: "A dependency of this instance is not available.", checks },
    { status: 503, headers },
  );
}
