import { Prisma } from "@/lib/db/generated/client";
import { type Db, staleSql } from "./persist";

// A chat is a tree. An answer follows the user message it answers; a user message follows the
// answer before it (null: the chat's first message); both through Message.replyToId. Messages
// with the same parent are versions of each other: the answers of a regenerate, the user
// messages of an edit and resend, each with the branch of later turns below it. Nothing is
// deleted: an edit or a regenerate adds a sibling, the old branch stays reachable.
//
// What a chat shows is one path from the root: by default the one that ends at the chat's
// latest message (the highest seq: where the user last wrote or regenerated), or, when the
// user switches to another version, that version with the newest message of each level below
// it. Every query names the user (the composite keys make another user's ids unused ones).

export type MessageRow = {
  id: string;
  role: string;
  content: string;
  parts: unknown;
  status: string;
  errorCode: string | null;
  provider: string | null;
  model: string | null;
  keySource: string | null;
  /** Which of the user's keys answered (name or …last4), when it was a personal key. */
  keyLabel: string | null;
  /** The key that answered (the picker reads an OpenAI-compatible answer's endpoint from it). */
  keyId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Of outputTokens, the thinking (when the provider reported it). */
  reasoningTokens: number | null;
  /** AnswerParams: what the answer was asked with. */
  params: unknown;
  createdAt: Date;
  /** The message this one follows (see above). */
  replyToId: string | null;
  seq: number;
  /** The versions of this message (it and its siblings), oldest first, space-separated ids. */
  versions: string | null;
  stale: boolean;
};

/** The columns of a MessageRow for the Message row `m`. */
const columns = Prisma.sql`m."id", m."role", m."content", m."parts", m."status"::text AS "status",
  m."errorCode", m."provider", m."model", m."keySource", m."keyLabel", m."keyId", m."inputTokens", m."outputTokens",
  m."reasoningTokens", m."params", m."createdAt", m."replyToId", m."seq",
  (SELECT string_agg(x."id", ' ' ORDER BY x."seq") FROM "Message" x
    WHERE x."userId" = m."userId" AND x."chatId" = m."chatId" AND x."role" = m."role"
      AND x."replyToId" IS NOT DISTINCT FROM m."replyToId") AS "versions",
  ${staleSql("m")} AS "stale"`;

/** SQL: the id of the chat's latest message (where its default path ends). */
const latestSql = (userId: string, chatId: string) => Prisma.sql`(SELECT l."id" FROM "Message" l
  WHERE l."userId" = ${userId} AND l."chatId" = ${chatId} ORDER BY l."seq" DESC, l."id" DESC LIMIT 1)`;

/**
 * The path that ends at message `leaf` (the chat's latest message when null): `leaf` and its
 * ancestors, nearest first, at most `limit`. `skipLeaf`: its ancestors only (the page before it).
 */
export async function pathTo(
  client: Db,
  userId: string,
  chatId: string,
  opts: { leaf?: string | null; skipLeaf?: boolean; limit: number },
): Promise<MessageRow[]> {
  const start = opts.leaf ? Prisma.sql`${opts.leaf}` : latestSql(userId, chatId);
  return client.$queryRaw<MessageRow[]>`
    WITH RECURSIVE up AS (
      SELECT s."id", s."replyToId", 0 AS "depth" FROM "Message" s
      WHERE s."userId" = ${userId} AND s."chatId" = ${chatId} AND s."id" = ${start}
      UNION ALL
      SELECT p."id", p."replyToId", up."depth" + 1 FROM up
      JOIN "Message" p ON p."userId" = ${userId} AND p."chatId" = ${chatId} AND p."id" = up."replyToId"
    )
    SELECT ${columns}
    FROM up JOIN "Message" m ON m."userId" = ${userId} AND m."id" = up."id"
    WHERE up."depth" >= ${opts.skipLeaf ? 1 : 0}::int
    ORDER BY up."depth"
    LIMIT ${opts.limit}::int`;
}

/**
 * Message `id` and the branch below it as it shows: at each level the newest message following
 * the one above (the newest answer of a user message, the newest reply to an answer); oldest
 * first, at most `limit`.
 */
export async function branchFrom(
  client: Db,
  userId: string,
  chatId: string,
  id: string,
  limit: number,
): Promise<MessageRow[]> {
  return client.$queryRaw<MessageRow[]>`
    WITH RECURSIVE down AS (
      SELECT s."id", 0 AS "depth" FROM "Message" s
      WHERE s."userId" = ${userId} AND s."chatId" = ${chatId} AND s."id" = ${id}
      UNION ALL
      SELECT (SELECT c."id" FROM "Message" c
          WHERE c."userId" = ${userId} AND c."chatId" = ${chatId} AND c."replyToId" = down."id"
          ORDER BY c."seq" DESC, c."id" DESC LIMIT 1),
        down."depth" + 1
      FROM down WHERE down."id" IS NOT NULL AND down."depth" < ${limit}::int
    )
    SELECT ${columns}
    FROM down JOIN "Message" m ON m."userId" = ${userId} AND m."id" = down."id"
    ORDER BY down."depth"
    LIMIT ${limit}::int`;
}

/** Every message of the chat in the chat's order (the export's previous versions). */
export async function allMessages(client: Db, userId: string, chatId: string, limit: number) {
  return client.$queryRaw<MessageRow[]>`
    SELECT ${columns} FROM "Message" m
    WHERE m."userId" = ${userId} AND m."chatId" = ${chatId}
    ORDER BY m."seq", m."id"
    LIMIT ${limit}::int`;
}
