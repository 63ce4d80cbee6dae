import { requireApiUser } from "@/lib/auth";
import { apiRoute } from "@/lib/http";
import { getKeyModels, refreshKeyModels } from "@/lib/keys/models";
import { type ProviderParams, providerParam } from "../context";

/** GET /api/keys/:provider/models → { models: [{ id, label?, goneAt? }], fetchedAt, stale }. */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  return getKeyModels(user.id, provider);
});

/**
 * POST /api/keys/:provider/models → lists the saved key's models at its provider again:
 * { ok: true, cache } or { ok: false, failure } (the cache is then left as it was).
 */
export const POST = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  return refreshKeyModels(user.id, provider);
});
