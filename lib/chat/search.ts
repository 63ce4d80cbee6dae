import type { Db } from "./persist";

// Full-text search over the user's messages with PostgreSQL's 'simple' configuration (no
// stemming, no stop words: works the same for every language). The expression matches the
// GIN index in the migration, to_tsvector('simple', "content"), so the index is used.

export type ChatSearchHit = { id: string; title: string; updatedAt: string; snippet: string | null };

/** Markers around matched words in `snippet`; the UI turns them into <mark>, never into HTML. */
export const HIT_START = "\u00ab";
export const HIT_END = "\u00bb";

export async function searchChats(db: Db, userId: string, query: string, limit = 20): Promise<ChatSearchHit[]> {
  const q = query.replace(/\s+/g, " ").trim().slice(0, 200);
  if (!q) return [];
  const take = Math.min(Math.max(limit, 1), 50);
  const rows = await db.$queryRaw<{ id: string; title: string; updatedAt: Date; snippet: string | null }[]>`
    SELECT c.id, c.title, c."updatedAt",
      CASE WHEN m.content IS NULL THEN NULL ELSE ts_headline('simple', m.content, plainto_tsquery('simple', ${q}),
        'MaxWords=18, MinWords=6, MaxFragments=1, StartSel=«, StopSel=»') END AS snippet
    FROM "Chat" c
    LEFT JOIN LATERAL (
      SELECT mm.content FROM "Message" mm
      WHERE mm."chatId" = c.id AND mm."userId" = ${userId}
        AND to_tsvector('simple', mm."content") @@ plainto_tsquery('simple', ${q})
      ORDER BY mm."createdAt" DESC
      LIMIT 1
    ) m ON true
    WHERE c."userId" = ${userId}
      AND (m.content IS NOT NULL OR to_tsvector('simple', c.title) @@ plainto_tsquery('simple', ${q}))
    ORDER BY c."updatedAt" DESC
    LIMIT ${take}`;
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    updatedAt: new Date(r.updatedAt).toISOString(),
    snippet: r.snippet,
  }));
}
