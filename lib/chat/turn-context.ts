import type { ModelMessage } from "ai";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import type { KeyRow } from "@/lib/keys/resolve";
import { buildContext } from "./context";
import { visibleMessages } from "./history";
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
  /** The text the turn answers: the stored one for an existing message. */
  userText: string;
  messages: ModelMessage[];
  /** This user's stored key for the provider (null: none), for resolveKey. */
  keyRow: KeyRow | null;
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
  keyId: string | null;
  keyEnabled: boolean | null;
  keyStatus: string | null;
  keyCiphertext: string | null;
  keyBaseUrl: string | null;
  keyVersion: number | null;
  keyLast4: string | null;
  keyUpdatedAt: Date | null;
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
) {
  const [row] = await db.$queryRaw<LookupRow[]>`
    SELECT c."id" IS NOT NULL AS "chatExists",
           EXISTS (SELECT 1 FROM "SpendingLimit" l WHERE l."userId" = ${userId} AND l."provider" = ${provider})
             AS "hasLimits",
           m."id" IS NOT NULL AS "msgExists",
           (m."chatId" = ${chatId} AND m."role" = 'user') AS "msgUsable",
           m."content" AS "msgContent", m."seq" AS "msgSeq",
           k."id" AS "keyId", k."enabled" AS "keyEnabled", k."status"::text AS "keyStatus",
           k."ciphertext" AS "keyCiphertext", k."baseUrl" AS "keyBaseUrl", k."version" AS "keyVersion",
           k."last4" AS "keyLast4", k."updatedAt" AS "keyUpdatedAt",
           c."systemPrompt" AS "chatSystemPrompt", c."temperature" AS "chatTemperature",
           c."maxOutputTokens" AS "chatMaxOutputTokens", s."systemPrompt" AS "defaultSystemPrompt",
           CASE WHEN a."id" IS NULL THEN NULL ELSE json_build_object('id', a."id", 'chatId', a."chatId",
             'role', a."role", 'replyToId', a."replyToId", 'content', a."content", 'parts', a."parts",
             'status', a."status", 'errorCode', a."errorCode", 'provider', a."provider", 'model', a."model",
             'keySource', a."keySource", 'inputTokens', a."inputTokens", 'outputTokens', a."outputTokens",
             'reasoningTokens', a."reasoningTokens", 'params', a."params", 'createdAt', a."createdAt" AT TIME ZONE 'UTC', 'stale', ${staleSql("a")}) END AS "answer"
    FROM (SELECT 1) AS one
    LEFT JOIN "Chat" c ON c."userId" = ${userId} AND c."id" = ${chatId}
    LEFT JOIN "Message" m ON m."userId" = ${userId} AND m."id" = ${messageId}
    LEFT JOIN "AiSettings" s ON s."userId" = ${userId}
    LEFT JOIN "ProviderKey" k ON k."userId" = ${userId} AND k."provider" = ${provider}
    LEFT JOIN "Message" a ON a."userId" = ${userId} AND a."id" = ${answerId}`;
  if (!row) throw new Error("turn lookup returned no row");
  const prior =
    row.msgUsable && row.msgContent !== null && row.msgSeq !== null
      ? { content: row.msgContent, seq: row.msgSeq }
      : null;
  const keyRow: KeyRow | null =
    row.keyId === null
      ? null
      : {
          id: row.keyId,
          enabled: row.keyEnabled as boolean,
          status: row.keyStatus as KeyStatus,
          ciphertext: row.keyCiphertext as string,
          baseUrl: row.keyBaseUrl,
          version: row.keyVersion as number,
          last4: row.keyLast4 as string,
          updatedAt: row.keyUpdatedAt as Date,
        };
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
    keyRow,
    answer,
    settings,
    defaultSystemPrompt: row.defaultSystemPrompt,
    hasSpendingLimits: row.hasLimits,
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
  },
  budgetChars: number,
): Promise<TurnContext> {
  const { userId, chatId } = input;
  // Without an answer id (API clients that do not send one) the turn gets a fresh one.
  const found = await lookup(db, userId, chatId, input.message.id, input.provider, input.answerId ?? "");
  const { prior, keyRow, answer, defaultSystemPrompt, hasSpendingLimits } = found;
  if (found.msgTaken) throw new AppError("CONFLICT", "This message id is already in use.");
  // A duplicate of a request whose answer exists: replayed (or refused while it streams) by the
  // caller, before anything else is checked or spent.
  if (answer)
    return {
      isNewChat: false,
      userText: "",
      messages: [],
      keyRow,
      settings: found.settings,
      defaultSystemPrompt,
      hasSpendingLimits,
      answer,
    };
  const chat = found.chatExists;
  if (input.regenerate && !prior) throw new AppError("NOT_FOUND", "There is no message to answer again.");

  const [later, history] = await Promise.all([
    prior ? db.message.count({ where: { chatId, userId, role: "user", seq: { gt: prior.seq } } }) : 0,
    chat ? visibleMessages(db, userId, chatId, { beforeTurn: prior?.seq, limit: HISTORY_LIMIT }) : [],
  ]);
  // Answering an earlier message again would have to drop the turns after it.
  if (later > 0) throw new AppError("CONFLICT", "Only the latest message can be answered again.");

  const userText = prior?.content ?? input.message.text;
  return {
    isNewChat: !chat,
    priorSeq: prior?.seq,
    userText,
    messages: buildContext([...history.reverse(), { role: "user", content: userText }], budgetChars),
    keyRow,
    settings: chat ? found.settings : DEFAULT_CHAT_SETTINGS,
    defaultSystemPrompt,
    hasSpendingLimits,
  };
}
