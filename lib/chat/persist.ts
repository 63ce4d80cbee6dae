import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { KeySource } from "@/lib/keys/policy";
import type { AnswerParams } from "./params";
import { costMicros } from "./prices";
import type { AssistantStatus } from "./types";

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
  // One statement (on the embedded database each round trip to the database's worker thread costs CPU):
  // - the chat is inserted unless it exists, never overwriting a concurrent request's row;
  // - an existing chat is updated only if it is this user's (provider/model, moved to the top);
  // - the message is inserted only if one of the two touched this user's chat, and only once
  //   per browser-generated id, so a resend after a network failure cannot duplicate it.
  // The sub-statements share one snapshot: the UPDATE never sees the row the INSERT adds.
  const { userId, chatId, provider, model, message } = input;
  await db.$executeRaw`
    WITH new_chat AS (
      INSERT INTO "Chat" ("id", "userId", "title", "provider", "model", "createdAt", "updatedAt")
      VALUES (${chatId}, ${userId}, ${input.title}, ${provider}, ${model}, now(), now())
      ON CONFLICT ("id") DO NOTHING
      RETURNING "id"
    ), own_chat AS (
      UPDATE "Chat" SET "provider" = ${provider}, "model" = ${model}, "updatedAt" = now()
      WHERE "id" = ${chatId} AND "userId" = ${userId}
      RETURNING "id"
    )
    INSERT INTO "Message" ("id", "chatId", "userId", "role", "content", "status", "createdAt")
    SELECT ${message.id}, ${chatId}, ${userId}, 'user', ${message.text}, 'COMPLETE', ${input.createdAt}
    WHERE EXISTS (SELECT 1 FROM new_chat) OR EXISTS (SELECT 1 FROM own_chat)
    ON CONFLICT ("id") DO NOTHING`;
}

export type AssistantRecord = {
  id: string;
  userId: string;
  chatId: string;
  /** The user message this row answers: earlier answers to it are replaced. */
  replyTo: { createdAt: Date };
  content: string;
  /** Reasoning streamed before the answer: stored as the message's parts (UI message part shapes). */
  reasoning?: string;
  status: AssistantStatus;
  errorCode?: string;
  provider: string;
  model: string;
  keySource: KeySource;
  /** reasoningTokens: of outputTokens, the thinking (when the provider reports it). */
  usage?: { inputTokens: number; outputTokens: number; reasoningTokens?: number };
  /** What the answer was asked with (system prompt used, temperature, max output). */
  params?: AnswerParams;
};

/** Replaces any earlier answer to the same user message, so a turn has exactly one assistant row. */
export async function saveAssistantMessage(db: Db, rec: AssistantRecord): Promise<void> {
  const now = Date.now();
  // Strictly after the user message even when clocks tie: ordering is by createdAt.
  const createdAt = new Date(Math.max(now, rec.replyTo.createdAt.getTime() + 1));
  const usage = rec.usage;
  const cost = usage ? costMicros(rec.provider, rec.model, usage.inputTokens, usage.outputTokens) : 0;
  const parts = rec.reasoning
    ? JSON.stringify([
        { type: "reasoning", text: rec.reasoning },
        { type: "text", text: rec.content },
      ])
    : null;
  const params = rec.params ? JSON.stringify(rec.params) : null;
  // One statement, so one implicit transaction: earlier answers to the same user message go,
  // the new row comes, the chat moves to the top of the history list, and the usage event is
  // recorded — or none of it. (The DELETE cannot see the row the INSERT adds: one snapshot.)
  await db.$executeRaw`
    WITH replaced AS (
      DELETE FROM "Message"
      WHERE "chatId" = ${rec.chatId} AND "userId" = ${rec.userId} AND "role" = 'assistant'
        AND "createdAt" > ${rec.replyTo.createdAt}
    ), answer AS (
      INSERT INTO "Message" ("id", "chatId", "userId", "role", "content", "parts", "status", "errorCode",
        "provider", "model", "keySource", "inputTokens", "outputTokens", "createdAt",
        "reasoningTokens", "params")
      VALUES (${rec.id}, ${rec.chatId}, ${rec.userId}, 'assistant', ${rec.content}, ${parts}::jsonb,
        ${rec.status}::"MessageStatus", ${rec.errorCode ?? null}, ${rec.provider}, ${rec.model},
        ${rec.keySource}, ${usage?.inputTokens ?? null}::int, ${usage?.outputTokens ?? null}::int,
        ${createdAt}, ${usage?.reasoningTokens ?? null}::int, ${params}::jsonb)
      RETURNING "id"
    ), bumped AS (
      UPDATE "Chat" SET "updatedAt" = ${new Date(now)}
      WHERE "id" = ${rec.chatId} AND "userId" = ${rec.userId}
    )
    INSERT INTO "UsageEvent" ("id", "userId", "provider", "keySource", "model", "messageId",
      "inputTokens", "outputTokens", "costMicros", "createdAt", "reasoningTokens")
    SELECT ${randomUUID()}, ${rec.userId}, ${rec.provider}, ${rec.keySource}, ${rec.model}, "id",
      ${usage?.inputTokens ?? 0}::int, ${usage?.outputTokens ?? 0}::int, ${cost}::int, now(),
      ${usage?.reasoningTokens ?? 0}::int
    FROM answer
    WHERE ${usage !== undefined}`;
}
