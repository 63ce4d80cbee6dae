import { benchOnly } from "@/lib/bench-routes";

// POST /api/bench/floor — bench only (404 unless BYOK_BENCH_ROUTES=1, see lib/bench-routes.ts).
// The "Next.js floor": a route handler in the same production build that pipes the provider's
// stream through and does nothing else (no session, no database, no SDK, no parsing). The bench
// sends it the request it sends the provider directly; the difference to the direct arm is what
// Next.js's request/response handling costs, before any of BYOK Chat's own work.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = benchOnly(async (req) => {
  const base = (process.env.OPENAI_BASE_URL ?? "").replace(/\/+$/, "");
  if (!base) return Response.json({ code: "NOT_CONFIGURED" }, { status: 503 });
  const upstream = await fetch(`${base}/responses`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      authorization: req.headers.get("authorization") ?? "",
    },
    body: req.body,
    // A request body stream needs half-duplex in undici's fetch.
    duplex: "half",
    signal: req.signal,
  } as RequestInit & { duplex: "half" });
  return new Response(upstream.body, {
    status: upstream.status,
    headers: {
      "content-type": upstream.headers.get("content-type") ?? "text/event-stream",
      // As the chat route: no gzip of an event stream (Next would compress it otherwise).
      "cache-control": "no-store, no-transform",
    },
  });
});
