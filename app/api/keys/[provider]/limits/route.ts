import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { limitsInputSchema, providerLimits, setLimits } from "@/lib/keys/limits";
import { type ProviderParams, providerParam, requestContext } from "../context";

/** GET /api/keys/:provider/limits → { provider, limits: [{ period, unit, amount, used, ratio, resetsAt }], day, month }. */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  return providerLimits(user.id, provider);
});

/**
 * PUT /api/keys/:provider/limits { dayUsd?, monthUsd?, dayTokens?, monthTokens? } (dollars,
 * tokens; null or absent: no such limit) → the provider's limits as GET returns them.
 */
export const PUT = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  const body = await parseJson(req, limitsInputSchema, { maxBytes: 4 * 1024 });
  return setLimits(user.id, provider, body, requestContext(req));
});
