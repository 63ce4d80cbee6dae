import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { testKey } from "@/lib/keys/probe";
import { testKeySchema } from "@/lib/keys/schemas";
import { keyParam, type ProviderParams, requestContext } from "../context";

function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  if (length !== null) return length.trim() !== "0";
  return req.headers.has("content-type") || req.headers.has("transfer-encoding");
}

/**
 * POST /api/keys/:key/test → { result, ms, status, tested, retryAfter? }.
 * No body: tests the saved key and records the outcome on it. { apiKey, baseUrl? }: tests that
 * key without saving it.
 */
export const POST = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  const body = hasBody(req) ? await parseJson(req, testKeySchema, { maxBytes: 16 * 1024 }) : {};
  return testKey(user.id, target, body, requestContext(req));
});
