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
) {
  const [row] = await db.$queryRaw<LookupRow[]>`
    SELECT c."id" IS NOT NULL AS "chatExists",
           EXISTS (SELECT 1 FROM "SpendingLimit" l WHERE l."userId" = ${userId} AND l."provider" = ${provider})
             AS "hasLimits",
           m."id" IS NOT NULL AS "msgExists",
           (m."chatId" = ${chatId} AND m."role" = 'user') AS "msgUsable",
           m."content" AS "msgContent", m."seq" AS "msgSeq",
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
    LEFT JOIN "Message" a ON a."userId" = ${userId} AND a."id" = ${answerId}`;
  if (!row) throw new Error("turn lookup returned no row");
  const prior =
    row.msgUsable && row.msgContent !== null && row.msgSeq !== null
      ? { content: row.msgContent, seq: row.msgSeq }
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
  const { prior, keyRows, answer, defaultSystemPrompt, hasSpendingLimits } = found;
  if (found.msgTaken) throw new AppError("CONFLICT", "This message id is already in use.");
  // A duplicate of a request whose answer exists: replayed (or refused while it streams) by the
  // caller, before anything else is checked or spent.
  if (answer)
    return {
      isNewChat: false,
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
    keyRows,
    settings: chat ? found.settings : DEFAULT_CHAT_SETTINGS,
    defaultSystemPrompt,
    hasSpendingLimits,
  };
}
