import type { ModelMessage } from "ai";
import type { KeyStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import type { KeyRow } from "@/lib/keys/resolve";
import { buildContext } from "./context";
import type { Db } from "./persist";

// Everything a turn reads before it may start: ownership, whether this is a resend or a
// regenerate of an existing message, the user's key row for the provider, and the
// conversation rebuilt from the database. The first three are one query: on the embedded
// database every statement costs CPU on this thread, in front of the upstream request.

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
};

type LookupRow = {
  chatUserId: string | null;
  msgChatId: string | null;
  msgUserId: string | null;
  msgRole: string | null;
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
};

async function lookup(db: Db, userId: string, chatId: string, messageId: string, provider: string) {
  const [row] = await db.$queryRaw<LookupRow[]>`
    SELECT c."userId" AS "chatUserId",
           m."chatId" AS "msgChatId", m."userId" AS "msgUserId", m."role" AS "msgRole",
           m."content" AS "msgContent", m."createdAt" AS "msgCreatedAt",
           k."id" AS "keyId", k."enabled" AS "keyEnabled", k."status"::text AS "keyStatus",
           k."ciphertext" AS "keyCiphertext", k."baseUrl" AS "keyBaseUrl", k."version" AS "keyVersion",
           k."last4" AS "keyLast4", k."updatedAt" AS "keyUpdatedAt"
    FROM (SELECT 1) AS one
    LEFT JOIN "Chat" c ON c."id" = ${chatId}
    LEFT JOIN "Message" m ON m."id" = ${messageId}
    LEFT JOIN "ProviderKey" k ON k."userId" = ${userId} AND k."provider" = ${provider}`;
  if (!row) throw new Error("turn lookup returned no row");
  const chat = row.chatUserId === null ? null : { userId: row.chatUserId };
  const prior =
    row.msgChatId === null
      ? null
      : {
          chatId: row.msgChatId,
          userId: row.msgUserId as string,
          role: row.msgRole as string,
          content: row.msgContent as string,
          createdAt: row.msgCreatedAt as Date,
        };
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
  return { chat, prior, keyRow };
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
  const { chat, prior, keyRow } = await lookup(db, userId, chatId, input.message.id, input.provider);
  // Someone else's chat looks exactly like a missing one.
  if (chat && chat.userId !== userId) throw new AppError("NOT_FOUND", "Chat not found.");
  if (prior && (prior.userId !== userId || prior.chatId !== chatId || prior.role !== "user")) {
    throw new AppError("CONFLICT", "This message id is already in use.");
  }
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
  };
}
