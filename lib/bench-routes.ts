// The bench-only route handlers under app/api/bench/ (`npm run bench`'s "Next.js floor" and
// "canonical" arms) exist in every build but answer 404, before any other work, unless the
// server was started with BYOK_BENCH_ROUTES=1. Only bench/lib/app.ts sets it. Read from the
// process environment, not lib/env.ts: it is a switch of the benchmark, not a setting of the app.

export const BENCH_ROUTES_ENV = "BYOK_BENCH_ROUTES";

export function benchRoutesEnabled(): boolean {
  return process.env[BENCH_ROUTES_ENV] === "1";
}

/** The handler when the bench enabled it; otherwise a 404 that looks like any unknown API path. */
export function benchOnly<C>(
  handler: (req: Request, ctx: C) => Promise<Response>,
): (req: Request, ctx: C) => Promise<Response> {
  return async (req, ctx) => {
    if (!benchRoutesEnabled()) {
      return Response.json(
        { code: "NOT_FOUND", message: "Not found." },
        { status: 404, headers: { "Cache-Control": "no-store" } },
      );
    }
    return handler(req, ctx);
  };
}
