import { requireApiUser } from "@/lib/auth";
import { apiRoute } from "@/lib/http";
import { getKeyModels, refreshKeyModels } from "@/lib/keys/models";
import { keyParam, type ProviderParams } from "../context";

/** GET /api/keys/:key/models → { models: [{ id, label?, goneAt? }], fetchedAt, stale }. */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  return getKeyModels(user.id, target);
});

/**
 * POST /api/keys/:key/models → lists the saved key's models at its provider again:
 * { ok: true, cache } or { ok: false, failure } (the cache is then left as it was).
 */
export const POST = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  return refreshKeyModels(user.id, target);
});
