import { requireApiUser } from "@/lib/auth";
import { apiRoute } from "@/lib/http";
import { listKeys } from "@/lib/keys/manage";

// GET /api/keys → { keys: KeyDto[] }: one entry per provider, masked previews only.
export const GET = apiRoute(async () => {
  const user = await requireApiUser();
  return { keys: await listKeys(user.id) };
});
