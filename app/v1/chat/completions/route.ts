import { clientIp } from "@/lib/client-ip";
import { linkToShutdown } from "@/lib/shutdown";
import { startCompletion } from "@/lib/v1/completions";
import { readJsonBody, requireApiToken, v1Route } from "@/lib/v1/http";
import { completionRequestSchema, MAX_V1_BODY_BYTES } from "@/lib/v1/schemas";

// POST /v1/chat/completions (OpenAI-compatible): bearer token only, no cookies, no Origin check
// (lib/v1/http.ts says why). Errors in OpenAI's shape.
export const runtime = "nodejs";

export const POST = v1Route(async (req) => {
  const caller = await requireApiToken(req);
  const body = completionRequestSchema.parse(await readJsonBody(req, MAX_V1_BODY_BYTES));
  // The upstream call ends with the client's connection, or when a shutdown's grace period ends.
  const link = linkToShutdown(req.signal);
  try {
    const turn = await startCompletion(caller, body, link.signal, {
      ip: clientIp(req.headers),
      userAgent: req.headers.get("user-agent"),
    });
    void turn.done.then(link.release, link.release);
    return turn.response;
  } catch (e) {
    link.release();
    throw e;
  }
});
