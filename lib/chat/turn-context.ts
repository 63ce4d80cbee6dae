import type { ModelMessage } from "ai";
import { AppError } from "@/lib/errors";
import { buildContext } from "./context";
import type { Db } from "./persist";

// Everything a turn reads before it may start: ownership, whether this is a resend or a
// regenerate of an existing message, and the conversation rebuilt from the database.

const HISTORY_LIMIT = 200;

export type TurnContext = {
  isNewChat: boolean;
  /** The user message's stored creation time when it already exists (resend, regenerate). */
  priorCreatedAt?: Date;
  /** The text the turn answers: the stored one for an existing message. */
  userText: string;
  messages: ModelMessage[];
};

export async function loadTurnContext(
  db: Db,
  input: { userId: string; chatId: string; message: { id: string; text: string }; regenerate?: boolean },
  budgetChars: number,
): Promise<TurnContext> {
  const { userId, chatId } = input;
  const [chat, prior] = await Promise.all([
    db.chat.findUnique({ where: { id: chatId }, select: { userId: true } }),
    db.message.findUnique({
      where: { id: input.message.id },
      select: { chatId: true, userId: true, role: true, content: true, createdAt: true },
    }),
  ]);
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
  };
}
