import { v1Deps } from "@/lib/v1/deps";
import { requireApiToken, v1Route } from "@/lib/v1/http";
import { listV1Models } from "@/lib/v1/models";

// GET /v1/models (OpenAI-compatible): the models this token may run, as provider/model.
export const runtime = "nodejs";

export const GET = v1Route(async (req) => {
  const caller = await requireApiToken(req);
  return Response.json(await listV1Models(caller, v1Deps()));
});
