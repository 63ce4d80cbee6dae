import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { KeySource } from "@/lib/keys/policy";
import { branchFrom, type MessageRow, pathTo } from "./branch";
import type { AnswerParams } from "./params";
import type { Db } from "./persist";
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
  const versions = m.versions?.split(" ") ?? [];
  if (m.role !== "assistant")
    return {
      id: m.id,
      parts: text,
      role: "user",
      metadata: { createdAt: m.createdAt.toISOString(), ...(versions.length > 1 ? { versions } : {}) },
    };
  const reasoning = storedReasoning(m.parts);
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
      ...(m.keyId && m.provider === "compatible" ? { keyId: m.keyId } : {}),
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

/** Far more than a branch holds in practice: a version switch loads the branch in one read. */
const MAX_BRANCH = 2000;

/**
 * A chat's messages as it reads (lib/chat/branch.ts), oldest first:
 * - by default the latest `limit` of the path that ends at its latest message;
 * - `before`: the `limit` messages before that one on its path (the page above it);
 * - `from`: that message (a version the user switched to) and the branch below it, whole.
 */
export async function listMessages(
  userId: string,
  chatId: string,
  opts: { before?: string; from?: string; limit?: number } = {},
  client: Db = db(),
): Promise<MessagePage> {
  const limit = Math.min(Math.max(opts.limit ?? 40, 1), 100);
  const chat = await client.chat.findFirst({ where: { id: chatId, userId }, select: { id: true } });
  if (!chat) throw new AppError("NOT_FOUND", "Chat not found.");
  if (opts.from) {
    const rows = await branchFrom(client, userId, chatId, opts.from, MAX_BRANCH);
    if (rows.length === 0) throw new AppError("NOT_FOUND", "Message not found.");
    return { messages: rows.map(toUIMessage), hasMore: false };
  }
  if (opts.before) {
    const [anchor] = await pathTo(client, userId, chatId, { leaf: opts.before, limit: 1 });
    if (!anchor) throw new AppError("NOT_FOUND", "Message not found.");
  }
  const rows = await pathTo(client, userId, chatId, {
    leaf: opts.before ?? null,
    skipLeaf: opts.before !== undefined,
    limit: limit + 1,
  });
  return { messages: rows.slice(0, limit).reverse().map(toUIMessage), hasMore: rows.length > limit };
}
