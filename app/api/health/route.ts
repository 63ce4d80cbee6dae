// GET /api/health: liveness. The process answers HTTP; no database, no Redis, no session (a load
// balancer or orchestrator calls it every few seconds). Readiness is /api/ready.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
