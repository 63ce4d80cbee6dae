import type { ModelMessage } from "ai";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import type { KeyRow } from "@/lib/keys/resolve";
import { buildContext } from "./context";
import { type ChatSettings, DEFAULT_CHAT_SETTINGS } from "./params";
import type { Db } from "./persist";

// Everything a turn reads before it may start: ownership, whether this is a resend or a
// regenerate of an existing message, the user's key row for the provider, and the
// conversation rebuilt from the database. The first three are one query: every round trip
// (Prisma's work, the database's, the thread hop) sits in front of the upstream request.

const HISTORY_LIMIT = 200;

export type TurnContext = {
  isNewChat: boolean;
  /** The user message's stored creation time when it already exists (resend, regenerate). */
  priorCreatedAt?: Date;
  /** The text the turn answers: the stored one for an existing message. */
  userText: string;
  messages: ModelMessage[];
  /** This user's stored key for the provider (null: none), for resolveKey. */
  keyRow: KeyRow | null;
  /** The chat's stored settings (all null for a new chat). */
  settings: ChatSettings;
  /** The user's default instructions (AI settings), null when none. */
  defaultSystemPrompt: string | null;
};

type LookupRow = {
  chatExists: boolean;
  chatOwned: boolean | null;
  msgExists: boolean;
  /** The message id is this user's own user message in this chat (a resend or regenerate). */
  msgUsable: boolean | null;
  msgContent: string | null;
  msgCreatedAt: Date | null;
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
};

/**
 * Other users' rows only ever answer "exists" here: their owner, chat and text stay in the
 * database (the chat's and message's content is selected only under this user's ownership).
 */
async function lookup(db: Db, userId: string, chatId: string, messageId: string, provider: string) {
  const [row] = await db.$queryRaw<LookupRow[]>`
    SELECT c."id" IS NOT NULL AS "chatExists", c."userId" = ${userId} AS "chatOwned",
           m."id" IS NOT NULL AS "msgExists",
           (m."userId" = ${userId} AND m."chatId" = ${chatId} AND m."role" = 'user') AS "msgUsable",
           mine."content" AS "msgContent", mine."createdAt" AS "msgCreatedAt",
           k."id" AS "keyId", k."enabled" AS "keyEnabled", k."status"::text AS "keyStatus",
           k."ciphertext" AS "keyCiphertext", k."baseUrl" AS "keyBaseUrl", k."version" AS "keyVersion",
           k."last4" AS "keyLast4", k."updatedAt" AS "keyUpdatedAt",
           own."systemPrompt" AS "chatSystemPrompt", own."temperature" AS "chatTemperature",
           own."maxOutputTokens" AS "chatMaxOutputTokens", s."systemPrompt" AS "defaultSystemPrompt"
    FROM (SELECT 1) AS one
    LEFT JOIN "Chat" c ON c."id" = ${chatId}
    LEFT JOIN "Chat" own ON own."id" = ${chatId} AND own."userId" = ${userId}
    LEFT JOIN "AiSettings" s ON s."userId" = ${userId}
    LEFT JOIN "Message" m ON m."id" = ${messageId}
    LEFT JOIN "Message" mine ON mine."id" = ${messageId} AND mine."userId" = ${userId}
      AND mine."chatId" = ${chatId} AND mine."role" = 'user'
    LEFT JOIN "ProviderKey" k ON k."userId" = ${userId} AND k."provider" = ${provider}`;
  if (!row) throw new Error("turn lookup returned no row");
  const prior =
    row.msgUsable && row.msgContent !== null && row.msgCreatedAt !== null
      ? { content: row.msgContent, createdAt: row.msgCreatedAt }
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
  return {
    chatExists: row.chatExists,
    chatOwned: row.chatOwned === true,
    msgTaken: row.msgExists && prior === null,
    prior,
    keyRow,
    settings: {
      systemPrompt: row.chatSystemPrompt,
      temperature: row.chatTemperature,
      maxOutputTokens: row.chatMaxOutputTokens,
    } satisfies ChatSettings,
    defaultSystemPrompt: row.defaultSystemPrompt,
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
  },
  budgetChars: number,
): Promise<TurnContext> {
  const { userId, chatId } = input;
  const found = await lookup(db, userId, chatId, input.message.id, input.provider);
  const { prior, keyRow } = found;
  // Someone else's chat looks exactly like a missing one.
  if (found.chatExists && !found.chatOwned) throw new AppError("NOT_FOUND", "Chat not found.");
  if (found.msgTaken) throw new AppError("CONFLICT", "This message id is already in use.");
  const chat = found.chatExists;
  if (input.regenerate && !prior) throw new AppError("NOT_FOUND", "There is no message to answer again.");

  const [later, history] = await Promise.all([
    prior
      ? db.message.count({ where: { chatId, userId, role: "user", createdAt: { gt: prior.createdAt } } })
      : 0,
    chat
      ? db.message.findMany({
          where: { chatId, userId, ...(prior ? { createdAt: { lt: prior.createdAt } } : {}) },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          take: HISTORY_LIMIT,
          select: { role: true, content: true },
        })
      : [],
  ]);
  // Answering an earlier message again would have to drop the turns after it.
  if (later > 0) throw new AppError("CONFLICT", "Only the latest message can be answered again.");

  const userText = prior?.content ?? input.message.text;
  return {
    isNewChat: !chat,
    priorCreatedAt: prior?.createdAt,
    userText,
    messages: buildContext([...history.reverse(), { role: "user", content: userText }], budgetChars),
    keyRow,
    settings: chat ? found.settings : DEFAULT_CHAT_SETTINGS,
    defaultSystemPrompt: found.defaultSystemPrompt,
  };
}
