import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { limitsInputSchema, providerLimits, setLimits } from "@/lib/keys/limits";
import { keyParam, type ProviderParams, requestContext } from "../context";

/** GET /api/keys/:key/limits (limits are per provider: a key id means its provider) → { provider, limits: [{ period, unit, amount, used, ratio, resetsAt }], day, month }. */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const { provider } = await keyParam(ctx, user.id);
  return providerLimits(user.id, provider);
});

/**
 * PUT /api/keys/:key/limits { dayUsd?, monthUsd?, dayTokens?, monthTokens? } (dollars,
 * tokens; null or absent: no such limit) → the provider's limits as GET returns them.
 */
export const PUT = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const { provider } = await keyParam(ctx, user.id);
  const body = await parseJson(req, limitsInputSchema, { maxBytes: 4 * 1024 });
  return setLimits(user.id, provider, body, requestContext(req));
});
