import type { ModelMessage } from "ai";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import type { KeyRow } from "@/lib/keys/resolve";
import { pathTo } from "./branch";
import { buildContext } from "./context";
import { type ChatSettings, DEFAULT_CHAT_SETTINGS } from "./params";
import { type AnswerRow, type Db, parseAnswer, staleSql } from "./persist";

// Everything a turn reads before it may start: ownership, whether this is a resend or a
// regenerate of an existing message, the user's key row for the provider, and the
// conversation rebuilt from the database. The first three are one query: every round trip
// (Prisma's work, the database's, the thread hop) sits in front of the upstream request.

const HISTORY_LIMIT = 200;

export type TurnContext = {
  isNewChat: boolean;
  /** The user message's place in the chat when it already exists (resend, regenerate). */
  priorSeq?: number;
  /**
   * The answer the user message follows (lib/chat/branch.ts): the stored message's own, else
   * the one the request named, else the chat's latest answer; null for a first message.
   */
  parentId: string | null;
  /** The text the turn answers: the stored one for an existing message. */
  userText: string;
  messages: ModelMessage[];
  /** This user's stored keys for the provider, in the order they are tried, for resolveKey. */
  keyRows: KeyRow[];
  /** The chat's stored settings (all null for a new chat). */
  settings: ChatSettings;
  /** The user's default instructions (AI settings), null when none. */
  defaultSystemPrompt: string | null;
  /** The user set spending limits on this provider (lib/keys/limits.ts): only then are they checked. */
  hasSpendingLimits: boolean;
  /** The row the request's answer id already names: a duplicate request (nothing else is set). */
  answer?: AnswerRow;
};

type LookupRow = {
  chatExists: boolean;
  hasLimits: boolean;
  msgExists: boolean;
  /** The message id is this user's own user message in this chat (a resend or regenerate). */
  msgUsable: boolean | null;
  msgContent: string | null;
  msgSeq: number | null;
  msgParent: string | null;
  /** The request's parent id is this user's answer in this chat. */
  parentOk: boolean;
  /** The request's editOf is this user's user message in this chat, and what it follows. */
  editOk: boolean;
  editParent: string | null;
  /** The chat's latest answer (when the request names no parent). */
  latestAnswer: string | null;
  /** The user's keys for the provider in order (JSON), null when none. */
  keys: (Omit<KeyRow, "updatedAt" | "status"> & { status: string; updatedAt: string })[] | null;
  chatSystemPrompt: string | null;
  chatTemperature: number | null;
  chatMaxOutputTokens: number | null;
  defaultSystemPrompt: string | null;
  /** The row named by the request's answer id (JSON of AnswerRow), if any. */
  answer: (Omit<AnswerRow, "createdAt"> & { createdAt: string }) | null;
};

/**
 * Ids are unique per user: every join names the user, so another user's chat or message id is
 * exactly an unused one (nothing of theirs is read, not even whether it exists).
 */
async function lookup(
  db: Db,
  userId: string,
  chatId: string,
  messageId: string,
  provider: string,
  answerId: string,
  parentId: string | null | undefined,
  editOf: string | undefined,
) {
  const [row] = await db.$queryRaw<LookupRow[]>`
    SELECT c."id" IS NOT NULL AS "chatExists",
           EXISTS (SELECT 1 FROM "SpendingLimit" l WHERE l."userId" = ${userId} AND l."provider" = ${provider})
             AS "hasLimits",
           m."id" IS NOT NULL AS "msgExists",
           (m."chatId" = ${chatId} AND m."role" = 'user') AS "msgUsable",
           m."content" AS "msgContent", m."seq" AS "msgSeq", m."replyToId" AS "msgParent",
           (pa."chatId" IS NOT DISTINCT FROM ${chatId} AND pa."role" IS NOT DISTINCT FROM 'assistant') AS "parentOk",
           (eo."chatId" IS NOT DISTINCT FROM ${chatId} AND eo."role" IS NOT DISTINCT FROM 'user') AS "editOk",
           eo."replyToId" AS "editParent",
           CASE WHEN ${parentId === undefined && editOf === undefined}::boolean THEN (SELECT l."id" FROM "Message" l
             WHERE l."userId" = ${userId} AND l."chatId" = ${chatId} AND l."role" = 'assistant'
             ORDER BY l."seq" DESC, l."id" DESC LIMIT 1) END AS "latestAnswer",
           (SELECT json_agg(json_build_object('id', k."id", 'enabled', k."enabled", 'status', k."status",
              'ciphertext', k."ciphertext", 'baseUrl', k."baseUrl", 'version', k."version", 'last4', k."last4",
              'updatedAt', k."updatedAt" AT TIME ZONE 'UTC', 'label', k."label", 'keyless', k."keyless")
              ORDER BY k."position", k."createdAt", k."id")
            FROM "ProviderKey" k WHERE k."userId" = ${userId} AND k."provider" = ${provider}) AS "keys",
           c."systemPrompt" AS "chatSystemPrompt", c."temperature" AS "chatTemperature",
           c."maxOutputTokens" AS "chatMaxOutputTokens", s."systemPrompt" AS "defaultSystemPrompt",
           CASE WHEN a."id" IS NULL THEN NULL ELSE json_build_object('id', a."id", 'chatId', a."chatId",
             'role', a."role", 'replyToId', a."replyToId", 'content', a."content", 'parts', a."parts",
             'status', a."status", 'errorCode', a."errorCode", 'provider', a."provider", 'model', a."model",
             'keySource', a."keySource", 'keyLabel', a."keyLabel", 'inputTokens', a."inputTokens", 'outputTokens', a."outputTokens",
             'reasoningTokens', a."reasoningTokens", 'params', a."params", 'createdAt', a."createdAt" AT TIME ZONE 'UTC', 'stale', ${staleSql("a")}) END AS "answer"
    FROM (SELECT 1) AS one
    LEFT JOIN "Chat" c ON c."userId" = ${userId} AND c."id" = ${chatId}
    LEFT JOIN "Message" m ON m."userId" = ${userId} AND m."id" = ${messageId}
    LEFT JOIN "AiSettings" s ON s."userId" = ${userId}
    LEFT JOIN "Message" a ON a."userId" = ${userId} AND a."id" = ${answerId}
    LEFT JOIN "Message" pa ON pa."userId" = ${userId} AND pa."id" = ${parentId ?? ""}
    LEFT JOIN "Message" eo ON eo."userId" = ${userId} AND eo."id" = ${editOf ?? ""}`;
  if (!row) throw new Error("turn lookup returned no row");
  const prior =
    row.msgUsable && row.msgContent !== null && row.msgSeq !== null
      ? { content: row.msgContent, seq: row.msgSeq, parent: row.msgParent }
      : null;
  const keyRows: KeyRow[] = (row.keys ?? []).map((k) => ({
    ...k,
    status: k.status as KeyStatus,
    updatedAt: new Date(k.updatedAt),
  }));
  const answer = parseAnswer(row.answer);
  const settings: ChatSettings = {
    systemPrompt: row.chatSystemPrompt,
    temperature: row.chatTemperature,
    maxOutputTokens: row.chatMaxOutputTokens,
  };
  return {
    chatExists: row.chatExists,
    msgTaken: row.msgExists && prior === null,
    prior,
    keyRows,
    answer,
    settings,
    defaultSystemPrompt: row.defaultSystemPrompt,
    hasSpendingLimits: row.hasLimits,
    parentOk: parentId ? row.parentOk === true : false,
    latestAnswer: row.latestAnswer,
    editOk: editOf ? row.editOk === true : false,
    editParent: row.editParent,
  };
}

export async function loadTurnContext(
  db: Db,
  input: {
    userId: string;
    chatId: string;
    message: { id: string; text: string };
    provider: string;
    regenerate?: boolean;
    answerId?: string;
    parentId?: string | null;
    editOf?: string;
  },
  budgetChars: number,
): Promise<TurnContext> {
  const { userId, chatId } = input;
  // Without an answer id (API clients that do not send one) the turn gets a fresh one.
  const found = await lookup(
    db,
    userId,
    chatId,
    input.message.id,
    input.provider,
    input.answerId ?? "",
    input.parentId,
    input.editOf,
  );
  const { prior, keyRows, answer, defaultSystemPrompt, hasSpendingLimits } = found;
  if (found.msgTaken) throw new AppError("CONFLICT", "This message id is already in use.");
  // A duplicate of a request whose answer exists: replayed (or refused while it streams) by the
  // caller, before anything else is checked or spent.
  if (answer)
    return {
      isNewChat: false,
      parentId: null,
      userText: "",
      messages: [],
      keyRows,
      settings: found.settings,
      defaultSystemPrompt,
      hasSpendingLimits,
      answer,
    };
  const chat = found.chatExists;
  if (input.regenerate && !prior) throw new AppError("NOT_FOUND", "There is no message to answer again.");

  // The branch the message continues: an existing message keeps its place (regenerate, resend);
  // a new one follows the answer the request names (an edit: the edited message's parent).
  let parentId: string | null;
  if (prior) parentId = prior.parent;
  else if (input.editOf !== undefined) {
    if (!found.editOk) throw new AppError("NOT_FOUND", "The message you edited is gone. Reload the chat.");
    parentId = found.editParent;
  } else if (input.parentId === undefined) parentId = found.latestAnswer;
  else if (input.parentId === null || found.parentOk) parentId = input.parentId;
  else throw new AppError("NOT_FOUND", "The message this one follows is gone. Reload the chat.");
  // The model sees the path down to that answer, and this message: not the turns of other
  // branches (what an edit replaced), nor the turns after a regenerated message.
  const history =
    chat && parentId ? await pathTo(db, userId, chatId, { leaf: parentId, limit: HISTORY_LIMIT }) : [];

  const userText = prior?.content ?? input.message.text;
  return {
    isNewChat: !chat,
    priorSeq: prior?.seq,
    parentId,
    userText,
    messages: buildContext([...history.reverse(), { role: "user", content: userText }], budgetChars),
    keyRows,
    settings: chat ? found.settings : DEFAULT_CHAT_SETTINGS,
    defaultSystemPrompt,
    hasSpendingLimits,
  };
}
