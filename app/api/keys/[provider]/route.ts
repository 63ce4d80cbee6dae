import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { getKey, removeKey, updateKey } from "@/lib/keys/manage";
import { saveKey } from "@/lib/keys/save";
import { saveKeySchema, updateKeySchema } from "@/lib/keys/schemas";
import { keyParam, type ProviderParams, requestContext } from "./context";

// The REST mirror of the AI settings page; the same lib/keys calls as its server actions.
// `:key` is a provider id (its first key: the one-key API) or a key id (GET /api/keys lists them).

/** GET /api/keys/:key → { key: KeyDto } (for a provider: status "not_set" when none is saved). */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  return { key: await getKey(user.id, await keyParam(ctx, user.id)) };
});

/**
 * PUT /api/keys/:key { apiKey, baseUrl?, label?, enabled? } → { key }: for a provider, replaces
 * its first key (adds it when there is none); for a key id, replaces that key.
 */
export const PUT = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  const body = await parseJson(req, saveKeySchema, { maxBytes: 16 * 1024 });
  return { key: await saveKey(user.id, target, body, requestContext(req)) };
});

/**
 * PATCH /api/keys/:key { enabled?, label?, move? } → { key }: switch on/off, rename (null clears
 * the name), move "up" or "down" in the order keys are tried; 404 when no such key is saved.
 */
export const PATCH = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  const change = await parseJson(req, updateKeySchema, { maxBytes: 1024 });
  return { key: await updateKey(user.id, target, change, requestContext(req)) };
});

/**
 * DELETE /api/keys/:key → { key }: for a provider, its first key goes and the answer is the
 * provider's key now (the next one, or "not_set"); for a key id, that key ("not_set"). 404 when none.
 */
export const DELETE = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const target = await keyParam(ctx, user.id);
  return { key: await removeKey(user.id, target, requestContext(req)) };
});
