import type { PrismaClient } from "@/lib/db/generated/client";
import { costMicros } from "./prices";
import type { AssistantStatus, KeySource } from "./types";

// Writes of a chat turn. The user's message is keyed by the id the browser generated, so a
// resend after a network failure cannot duplicate it; the assistant row is written once, when
// the turn ends, whatever way it ends.

export type Db = PrismaClient;

export async function saveUserMessage(
  db: Db,
  input: {
    userId: string;
    chatId: string;
    title: string;
    provider: string;
    model: string;
    message: { id: string; text: string };
    createdAt: Date;
  },
): Promise<void> {
  // createMany + skipDuplicates = "insert unless it exists" without a transaction, so a chat
  // created by a concurrent request (or another user's id) is never overwritten.
  await db.chat.createMany({
    data: [
      {
        id: input.chatId,
        userId: input.userId,
        title: input.title,
        provider: input.provider,
        model: input.model,
      },
    ],
    skipDuplicates: true,
  });
  await db.chat.updateMany({
    where: { id: input.chatId, userId: input.userId },
    data: { provider: input.provider, model: input.model },
  });
  await db.message.createMany({
    data: [
      {
        id: input.message.id,
        chatId: input.chatId,
        userId: input.userId,
        role: "user",
        content: input.message.text,
        status: "COMPLETE",
        createdAt: input.createdAt,
      },
    ],
    skipDuplicates: true,
  });
}

export type AssistantRecord = {
  id: string;
  userId: string;
  chatId: string;
  /** The user message this row answers: earlier answers to it are replaced. */
  replyTo: { createdAt: Date };
  content: string;
  status: AssistantStatus;
  errorCode?: string;
  provider: string;
  model: string;
  keySource: KeySource;
  usage?: { inputTokens: number; outputTokens: number };
};

/** Replaces any earlier answer to the same user message, so a turn has exactly one assistant row. */
export async function saveAssistantMessage(db: Db, rec: AssistantRecord): Promise<void> {
  const now = Date.now();
  // Strictly after the user message even when clocks tie: ordering is by createdAt.
  const createdAt = new Date(Math.max(now, rec.replyTo.createdAt.getTime() + 1));
  const cost = rec.usage
    ? costMicros(rec.provider, rec.model, rec.usage.inputTokens, rec.usage.outputTokens)
    : 0;
  await db.$transaction([
    db.message.deleteMany({
      where: {
        chatId: rec.chatId,
        userId: rec.userId,
        role: "assistant",
        createdAt: { gt: rec.replyTo.createdAt },
      },
    }),
    db.message.create({
      data: {
        id: rec.id,
        chatId: rec.chatId,
        userId: rec.userId,
        role: "assistant",
        content: rec.content,
        status: rec.status,
        errorCode: rec.errorCode ?? null,
        provider: rec.provider,
        model: rec.model,
        keySource: rec.keySource,
        inputTokens: rec.usage?.inputTokens ?? null,
        outputTokens: rec.usage?.outputTokens ?? null,
        createdAt,
      },
    }),
    // Bumps updatedAt so the chat moves to the top of the history list.
    db.chat.updateMany({ where: { id: rec.chatId, userId: rec.userId }, data: { updatedAt: new Date(now) } }),
    ...(rec.usage
      ? [
          db.usageEvent.create({
            data: {
              userId: rec.userId,
              provider: rec.provider,
              keySource: rec.keySource,
              model: rec.model,
              messageId: rec.id,
              inputTokens: rec.usage.inputTokens,
              outputTokens: rec.usage.outputTokens,
              costMicros: cost,
            },
          }),
        ]
      : []),
  ]);
}
