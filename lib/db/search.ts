import { Prisma, type PrismaClient } from "@/lib/db/generated/client";
import { db } from "./index";

export interface MessageSearchHit {
  chatId: string;
  chatTitle: string;
  messageId: string;
  /** Plain text around the match (no markup: the UI escapes and highlights). */
  snippet: string;
  createdAt: Date;
}

const MAX_QUERY_CHARS = 200;

/**
 * Full-text search over one user's messages, best match first. Whole words, no stemming
 * ('simple' config, so it works for any language). The expression must stay
 * `to_tsvector('simple', "content")` to use the GIN index "Message_content_fts_idx".
 */
export async function searchMessages(
  userId: string,
  query: string,
  limit = 20,
  client: PrismaClient = db(),
): Promise<MessageSearchHit[]> {
  const q = query.trim().slice(0, MAX_QUERY_CHARS);
  if (!q) return [];
  const take = Math.min(Math.max(Math.trunc(limit) || 1, 1), 50);
  // Only what the chats show: a chat is a tree of versions (lib/chat/branch.ts) and reads as
  // the path to its latest message, so a hit in an earlier version (an edited message, a
  // regenerated answer, the turns below them) would open a chat that does not show it.
  return client.$queryRaw<MessageSearchHit[]>(Prisma.sql`
    WITH RECURSIVE hits AS (
      SELECT m."chatId", m."id", m."content", m."createdAt", ts_rank(to_tsvector('simple', m."content"), q) AS "rank", q
      FROM "Message" m, plainto_tsquery('simple', ${q}) q
      WHERE m."userId" = ${userId} AND to_tsvector('simple', m."content") @@ q
    ), shown AS (
      SELECT l."id", l."replyToId" FROM (SELECT DISTINCT "chatId" FROM hits) hc
      CROSS JOIN LATERAL (SELECT x."id", x."replyToId" FROM "Message" x
        WHERE x."userId" = ${userId} AND x."chatId" = hc."chatId" ORDER BY x."seq" DESC, x."id" DESC LIMIT 1) l
      UNION ALL
      SELECT p."id", p."replyToId" FROM shown JOIN "Message" p ON p."userId" = ${userId} AND p."id" = shown."replyToId"
    )
    SELECT h."chatId", c."title" AS "chatTitle", h."id" AS "messageId", h."createdAt",
           ts_headline('simple', h."content", h.q, 'StartSel="", StopSel="", MaxWords=24, MinWords=8') AS "snippet"
    FROM hits h
    JOIN "Chat" c ON c."userId" = ${userId} AND c."id" = h."chatId"
    WHERE h."id" IN (SELECT "id" FROM shown)
    ORDER BY h."rank" DESC, h."createdAt" DESC
    LIMIT ${take}`);
}
