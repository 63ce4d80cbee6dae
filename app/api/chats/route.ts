import { requireApiUser } from "@/lib/auth";
import { listChats } from "@/lib/chat/history";
import { listQuerySchema } from "@/lib/chat/schemas";
import { searchChats } from "@/lib/chat/search";
import { apiRoute } from "@/lib/http";

// GET /api/chats?cursor=&limit=  → { chats, nextCursor? } (newest first)
// GET /api/chats?q=words         → { results } (full-text search over the user's messages)
export const GET = apiRoute(async (req) => {
  const user = await requireApiUser();
  const query = listQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  if (query.q !== undefined) return { results: await searchChats(user.id, query.q, query.limit) };
  return listChats(user.id, { cursor: query.cursor, limit: query.limit });
});
