import { db } from "@/lib/db";
import { searchMessages } from "@/lib/db/search";
import type { Db } from "./persist";

// "Search chats": full-text hits in the user's messages (lib/db/search, PostgreSQL FTS on the
// GIN index), one row per chat, plus chats whose title contains the words (a renamed chat is
// found by its new name). Both queries filter by userId.

export type ChatSearchHit = { id: string; title: string; updatedAt: string; snippet: string | null };

export async function searchChats(
  userId: string,
  query: string,
  limit = 20,
  client: Db = db(),
): Promise<ChatSearchHit[]> {
  const q = query.replace(/\s+/g, " ").trim().slice(0, 200);
  if (!q) return [];
  const take = Math.min(Math.max(limit, 1), 50);
  const [messageHits, titleHits] = await Promise.all([
    searchMessages(userId, q, 50, client),
    client.chat.findMany({
      where: { userId, title: { contains: q, mode: "insensitive" } },
      orderBy: { updatedAt: "desc" },
      take,
      select: { id: true, title: true, updatedAt: true },
    }),
  ]);
  const out = new Map<string, ChatSearchHit>();
  for (const h of messageHits) {
    if (!out.has(h.chatId)) {
      out.set(h.chatId, {
        id: h.chatId,
        title: h.chatTitle,
        updatedAt: new Date(h.createdAt).toISOString(),
        snippet: h.snippet,
      });
    }
  }
  for (const c of titleHits) {
    if (!out.has(c.id))
      out.set(c.id, { id: c.id, title: c.title, updatedAt: c.updatedAt.toISOString(), snippet: null });
  }
  return [...out.values()].slice(0, take);
}
