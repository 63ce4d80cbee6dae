import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { KeySource } from "@/lib/keys/policy";
import type { AnswerParams } from "./params";
import { type Db, staleSql } from "./persist";
import type { ChatUIMessage, MessageStatusView } from "./types";

// History reads and edits. Every query names the user: ownership lives in the WHERE clause,
// and someone else's chat is indistinguishable from a missing one. The database client is the
// optional last argument: the process's by default, a test's own when given.

export type ChatSummary = { id: string; title: string; updatedAt: string };
export type ChatPage = { chats: ChatSummary[]; nextCursor?: string };

const encodeCursor = (d: Date, id: string) => Buffer.from(`${d.toISOString()}|${id}`).toString("base64url");
function decodeCursor(cursor: string): { at: Date; id: string } | undefined {
  const [iso, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const at = new Date(iso ?? "");
  return id && !Number.isNaN(at.getTime()) ? { at, id } : undefined;
}

/** The user's chats, most recently active first, `limit` at a time. */
export async function listChats(
  userId: string,
  opts: { cursor?: string; limit?: number } = {},
  client: Db = db(),
): Promise<ChatPage> {
  const limit = Math.min(Math.max(opts.limit ?? 30, 1), 100);
  const c = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  if (opts.cursor && !c) throw new AppError("VALIDATION_FAILED", "Invalid cursor.");
  const rows = await client.chat.findMany({
    where: {
      userId,
      ...(c ? { OR: [{ updatedAt: { lt: c.at } }, { updatedAt: c.at, id: { lt: c.id } }] } : {}),
    },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { id: true, title: true, updatedAt: true },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    chats: page.map((r) => ({ id: r.id, title: r.title, updatedAt: r.updatedAt.toISOString() })),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.updatedAt, last.id) } : {}),
  };
}

export async function getChat(userId: string, chatId: string, client: Db = db()) {
  return client.chat.findFirst({
    where: { id: chatId, userId },
    select: {
      id: true,
      title: true,
      provider: true,
      model: true,
      updatedAt: true,
      systemPrompt: true,
      temperature: true,
      maxOutputTokens: true,
    },
  });
}

/** `title` has passed renameSchema (whitespace collapsed, 1 to 120 characters) at the boundary. */
export async function renameChat(
  userId: string,
  chatId: string,
  title: string,
  client: Db = db(),
): Promise<ChatSummary> {
  const res = await client.chat.updateMany({ where: { id: chatId, userId }, data: { title } });
  if (res.count === 0) throw new AppError("NOT_FOUND", "Chat not found.");
  const chat = await client.chat.findFirstOrThrow({
    where: { id: chatId, userId },
    select: { updatedAt: true },
  });
  return { id: chatId, title, updatedAt: chat.updatedAt.toISOString() };
}

/** Deletes the chat and (by cascade) its messages. Usage events stay: they are the bill. */
export async function deleteChat(userId: string, chatId: string, client: Db = db()): Promise<void> {
  const res = await client.chat.deleteMany({ where: { id: chatId, userId } });
  if (res.count === 0) throw new AppError("NOT_FOUND", "Chat not found.");
}

type MessageRow = {
  id: string;
  role: string;
  content: string;
  parts: unknown;
  status: string;
  errorCode: string | null;
  provider: string | null;
  model: string | null;
  keySource: string | null;
  keyLabel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Of outputTokens, the thinking (when the provider reported it). */
  reasoningTokens: number | null;
  /** AnswerParams: what the answer was asked with. */
  params: unknown;
  createdAt: Date;
  /** The answer versions to the same user message, oldest first (space-separated ids). */
  versions: string | null;
  stale: boolean;
};

/**
 * The chat as it reads: each user message in the chat's order, followed by the newest version
 * of its answer (the one with the highest sequence number), newest first, `limit` rows from
 * before the place (turn, sub) given. An answer sits at its user message's turn, sub 1, so a
 * turn that ends late never moves, and a later turn's answer never lands before it.
 */
export async function visibleMessages(
  client: Db,
  userId: string,
  chatId: string,
  opts: { beforeTurn?: number; beforeSub?: number; limit: number },
): Promise<MessageRow[]> {
  const turn = opts.beforeTurn ?? 2 ** 31 - 1;
  const sub = opts.beforeSub ?? 0;
  return client.$queryRaw<MessageRow[]>`
    SELECT v."id", v."role", v."content", v."parts", v."status"::text AS "status", v."errorCode",
      v."provider", v."model", v."keySource", v."keyLabel", v."inputTokens", v."outputTokens", v."reasoningTokens",
      v."params", v."createdAt", v."versions", v."stale"
    FROM (
      SELECT m.*, m."seq" AS "turn", 0 AS "sub", NULL::text AS "versions", false AS "stale"
      FROM "Message" m
      WHERE m."userId" = ${userId} AND m."chatId" = ${chatId} AND m."role" = 'user'
      UNION ALL
      SELECT * FROM (
        SELECT DISTINCT ON (COALESCE(a."replyToId", a."id")) a.*, COALESCE(q."seq", a."seq") AS "turn", 1 AS "sub",
          (SELECT string_agg(x."id", ' ' ORDER BY x."seq") FROM "Message" x
            WHERE x."userId" = a."userId" AND x."replyToId" = a."replyToId" AND x."role" = 'assistant') AS "versions",
          ${staleSql("a")} AS "stale"
        FROM "Message" a
        LEFT JOIN "Message" q ON q."userId" = a."userId" AND q."id" = a."replyToId"
        WHERE a."userId" = ${userId} AND a."chatId" = ${chatId} AND a."role" = 'assistant'
        ORDER BY COALESCE(a."replyToId", a."id"), a."seq" DESC
      ) newest
    ) v
    WHERE (v."turn", v."sub") < (${turn}::int, ${sub}::int)
    ORDER BY v."turn" DESC, v."sub" DESC
    LIMIT ${opts.limit}::int`;
}

/** The reasoning stored in an answer's parts, if any. */
function storedReasoning(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts
    .map((p) =>
      p && typeof p === "object" && p.type === "reasoning" && typeof p.text === "string" ? p.text : "",
    )
    .join("");
}

function toUIMessage(m: MessageRow): ChatUIMessage {
  const text = m.content ? [{ type: "text" as const, text: m.content }] : [];
  if (m.role !== "assistant")
    return { id: m.id, parts: text, role: "user", metadata: { createdAt: m.createdAt.toISOString() } };
  const reasoning = storedReasoning(m.parts);
  const versions = m.versions?.split(" ") ?? [];
  // A STREAMING row is still being written (another tab, or a turn ending now), unless the
  // process that wrote it died: then it is what it would have been on shutdown, ABORTED.
  const status = (m.status === "STREAMING" && m.stale ? "ABORTED" : m.status) as MessageStatusView;
  return {
    id: m.id,
    // As the stream delivered it: the (finished) reasoning block, then the answer.
    parts: reasoning ? [{ type: "reasoning", text: reasoning, state: "done" }, ...text] : text,
    role: "assistant",
    metadata: {
      createdAt: m.createdAt.toISOString(),
      status,
      ...(m.errorCode ? { errorCode: m.errorCode } : {}),
      ...(m.provider ? { provider: m.provider } : {}),
      ...(m.model ? { model: m.model } : {}),
      ...(m.keySource ? { keySource: m.keySource as KeySource } : {}),
      ...(m.keyLabel ? { keyLabel: m.keyLabel } : {}),
      ...(m.inputTokens !== null || m.outputTokens !== null
        ? {
            usage: {
              inputTokens: m.inputTokens ?? 0,
              outputTokens: m.outputTokens ?? 0,
              ...(typeof m.reasoningTokens === "number" ? { reasoningTokens: m.reasoningTokens } : {}),
            },
          }
        : {}),
      ...(m.params && typeof m.params === "object" ? { params: m.params as AnswerParams } : {}),
      ...(versions.length > 1 ? { versions } : {}),
    },
  };
}

export type MessagePage = { messages: ChatUIMessage[]; hasMore: boolean };

/** The latest `limit` messages of a chat, or the `limit` before message `before`; oldest first. */
export async function listMessages(
  userId: string,
  chatId: string,
  opts: { before?: string; limit?: number } = {},
  client: Db = db(),
): Promise<MessagePage> {
  const limit = Math.min(Math.max(opts.limit ?? 40, 1), 100);
  const chat = await client.chat.findFirst({ where: { id: chatId, userId }, select: { id: true } });
  if (!chat) throw new AppError("NOT_FOUND", "Chat not found.");
  let at: { turn: number; sub: number } | undefined;
  if (opts.before) {
    const [anchor] = await client.$queryRaw<{ turn: number; sub: number }[]>`
      SELECT CASE WHEN m."role" = 'user' THEN m."seq" ELSE COALESCE(q."seq", m."seq") END AS "turn",
        CASE WHEN m."role" = 'user' THEN 0 ELSE 1 END AS "sub"
      FROM "Message" m
      LEFT JOIN "Message" q ON q."userId" = m."userId" AND q."id" = m."replyToId"
      WHERE m."userId" = ${userId} AND m."id" = ${opts.before} AND m."chatId" = ${chatId}`;
    if (!anchor) throw new AppError("NOT_FOUND", "Message not found.");
    at = anchor;
  }
  const rows = await visibleMessages(client, userId, chatId, {
    beforeTurn: at?.turn,
    beforeSub: at?.sub,
    limit: limit + 1,
  });
  return { messages: rows.slice(0, limit).reverse().map(toUIMessage), hasMore: rows.length > limit };
}
