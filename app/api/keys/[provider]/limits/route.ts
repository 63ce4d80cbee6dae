import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { keyLimits, limitsInputSchema, providerLimits, setKeyLimits, setLimits } from "@/lib/keys/limits";
import { keyParam, type ProviderParams, requestContext } from "../context";

// /api/keys/{provider}/limits: the provider's limits (every key's use together), as before.
// /api/keys/{keyId}/limits: that key's own limits, counted on that key's use only (several keys
// per provider). A key id that is not the caller's is a 404 before the body is read.

/**
 * GET /api/keys/:provider/limits → { provider, limits: [{ period, unit, amount, used, ratio, resetsAt }], day, month, keys: [{ keyId, limits, day, month }] }
 * GET /api/keys/:keyId/limits → { keyId, provider, limits, day, month } (that key's own)
 */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  return target.id ? keyLimits(user.id, target.id) : providerLimits(user.id, target.provider);
});

/**
 * PUT /api/keys/:key/limits { dayUsd?, monthUsd?, dayTokens?, monthTokens? } (dollars,
 * tokens; null or absent: no such limit) → the limits as GET returns them for that address.
 */
export const PUT = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  const body = await parseJson(req, limitsInputSchema, { maxBytes: 4 * 1024 });
  return target.id
    ? setKeyLimits(user.id, target.id, body, requestContext(req))
    : setLimits(user.id, target.provider, body, requestContext(req));
});
