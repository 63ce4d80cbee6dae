import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { getKey, removeKey, setKeyEnabled } from "@/lib/keys/manage";
import { saveKey } from "@/lib/keys/save";
import { saveKeySchema, toggleKeySchema } from "@/lib/keys/schemas";
import { type ProviderParams, providerParam, requestContext } from "./context";

// The REST mirror of the AI settings page; the same lib/keys calls as its server actions.

/** GET /api/keys/:provider → { key: KeyDto } (status "not_set" when none is saved). */
export const GET = apiRoute<ProviderParams>(async (_req, ctx) => {
  const user = await requireApiUser();
  return { key: await getKey(user.id, await providerParam(ctx)) };
});

/** PUT /api/keys/:provider { apiKey, baseUrl?, label?, enabled? } → { key }: add or replace. */
export const PUT = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  const body = await parseJson(req, saveKeySchema, { maxBytes: 16 * 1024 });
  return { key: await saveKey(user.id, provider, body, requestContext(req)) };
});

/** PATCH /api/keys/:provider { enabled } → { key }; 404 when no key is saved. */
export const PATCH = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  const { enabled } = await parseJson(req, toggleKeySchema, { maxBytes: 1024 });
  return { key: await setKeyEnabled(user.id, provider, enabled, requestContext(req)) };
});

/** DELETE /api/keys/:provider → { key } (now "not_set"); 404 when no key is saved. */
export const DELETE = apiRoute<ProviderParams>(async (req, ctx) => {
  const user = await requireApiUser();
  const provider = await providerParam(ctx);
  return { key: await removeKey(user.id, provider, requestContext(req)) };
});
