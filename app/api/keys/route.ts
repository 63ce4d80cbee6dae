import { requireApiUser } from "@/lib/auth";
import { apiRoute, parseJson } from "@/lib/http";
import { listKeys } from "@/lib/keys/manage";
import { addKey } from "@/lib/keys/save";
import { addKeySchema, parseProvider } from "@/lib/keys/schemas";
import { requestContext } from "./[provider]/context";

/**
 * GET /api/keys → { keys: KeyDto[] }: every saved key (each with its `id` and `position`, in the
 * order a chat tries them), plus a "not_set" entry for each provider without one. Masked only.
 */
export const GET = apiRoute(async () => {
  const user = await requireApiUser();
  return { keys: await listKeys(user.id) };
});

/** POST /api/keys { provider, apiKey?, baseUrl?, label?, enabled? } → 201 { key }: another key, tried last. */
export const POST = apiRoute(async (req) => {
  const user = await requireApiUser();
  const { provider, ...body } = await parseJson(req, addKeySchema, { maxBytes: 16 * 1024 });
  const key = await addKey(user.id, parseProvider(provider), body, requestContext(req));
  return Response.json({ key }, { status: 201 });
});
