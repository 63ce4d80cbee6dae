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
  return client.$queryRaw<MessageSearchHit[]>(Prisma.sql`
    SELECT m."chatId", c."title" AS "chatTitle", m."id" AS "messageId", m."createdAt",
           ts_headline('simple', m."content", q, 'StartSel="", StopSel="", MaxWords=24, MinWords=8') AS "snippet"
    FROM "Message" m
    JOIN "Chat" c ON c."userId" = m."userId" AND c."id" = m."chatId",
         plainto_tsquery('simple', ${q}) q
    WHERE m."userId" = ${userId} AND to_tsvector('simple', m."content") @@ q
    ORDER BY ts_rank(to_tsvector('simple', m."content"), q) DESC, m."createdAt" DESC
    LIMIT ${take}`);
}
