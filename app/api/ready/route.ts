import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { checkReadiness, expectedMigrations, readinessBody } from "@/lib/health";

// GET /api/ready: readiness. 200 when the database answers and carries this build's migrations
// and Redis (when REDIS_URL is set) answers PING; 503 { code: "NOT_READY" } naming the failing
// dependency otherwise. No session: a load balancer calls it.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness({
    db: db(),
    redisUrl: env().REDIS_URL,
    migrations: expectedMigrations(),
  });
  return Response.json(readinessBody(readiness), {
    status: readiness.ready ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
