import { randomUUID } from "node:crypto";
import { costMicros } from "@/lib/ai/prices";
import { Prisma, type PrismaClient } from "@/lib/db/generated/client";
import type { KeySource } from "@/lib/keys/policy";
import type { AnswerParams, ChatSettings } from "./params";
import type { AssistantStatus } from "./types";

// Writes of a chat turn. Every write is ONE statement: on the embedded database (PGlite) there
// is one connection, so an interactive transaction or a lock held across an await would stall
// every other request (and could deadlock); one statement is also one implicit transaction on
// PostgreSQL, with row locks that serialise concurrent turns of a chat.
//
// - Chat and message ids are unique per user (composite keys): the browser picks them, and
//   another user's id must behave exactly like an unused one.
// - A turn claims its answer before the provider is called: the answer row, keyed by the answer
//   id the browser sent, is inserted as STREAMING together with the user message. A duplicate
//   request loses the insert and replays (or waits for) the winner's row: one provider call per
//   answer id. The row is completed in place when the turn ends; nothing is ever deleted, so a
//   new answer id for the same user message is a new version of the answer.
// - A chat is a tree (lib/chat/branch.ts): a new user message follows the answer the browser
//   names (an edit names the edited message's parent, so it becomes that message's sibling).
// - Order comes from Chat.turnSeq, bumped in the same statement that inserts the rows (the
//   upsert locks the chat row, so concurrent turns get distinct, increasing numbers), never from
//   clocks. An answer belongs to its user message (replyToId) and is shown under it.

export type Db = PrismaClient;

/** How often an open turn refreshes its answer's heartbeat. */
export const HEARTBEAT_MS = 15_000;
/** A STREAMING answer whose heartbeat is older than this was left by a dead process: ABORTED. */
export const STALE_TURN_MS = 60_000;

export type ClaimInput = {
  userId: string;
  chatId: string;
  /** The title of a chat this turn creates (an existing chat keeps its own). */
  title: string;
  provider: string;
  model: string;
  keySource: KeySource;
  message: { id: string; text: string };
  /**
   * The answer a new user message follows (lib/chat/branch.ts): null for the chat's first
   * message, absent for the chat's latest answer. An existing message keeps its own.
   */
  parentId?: string | null;
  answerId: string;
  /** The chat's own settings, to store on the chat with this turn (absent: left as they are). */
  settings?: ChatSettings;
  /** What the answer is asked with (completed by finishAnswer once the provider has answered). */
  params?: AnswerParams;
};

export type Claim = {
  /** false: the answer id was taken first by another request (read it with readAnswer), or the
   * message id is not this chat's user message. */
  claimed: boolean;
  /** This statement created the user message / the chat (what a refused turn may take back). */
  createdMessage: boolean;
  createdChat: boolean;
};

/**
 * Stores the user message (unless it exists: a resend or regenerate) and claims the answer id
 * as a STREAMING row answering it.
 */
export async function claimTurn(db: Db, c: ClaimInput): Promise<Claim> {
  const { userId, chatId, provider, model } = c;
  const s = c.settings;
  const params = c.params ? JSON.stringify(c.params) : null;
  // The chat upsert hands out two numbers: turnSeq - 1 for the user message, turnSeq for the
  // answer. A resend leaves a gap (the user message exists): harmless, only the order counts.
  // The answer is inserted only if its user message is this chat's: new in this statement, or
  // stored before it (a statement does not see the rows its own sub-statements insert).
  const rows = await db.$queryRaw<Claim[]>`
    WITH chat AS (
      INSERT INTO "Chat" ("userId", "id", "title", "provider", "model", "turnSeq", "createdAt", "updatedAt",
        "systemPrompt", "temperature", "maxOutputTokens")
      VALUES (${userId}, ${chatId}, ${c.title}, ${provider}, ${model}, 2, now(), now(),
        ${s?.systemPrompt ?? null}, ${s?.temperature ?? null}::float8, ${s?.maxOutputTokens ?? null}::int)
      ON CONFLICT ("userId", "id") DO UPDATE SET "provider" = EXCLUDED."provider",
        "model" = EXCLUDED."model", "updatedAt" = now(), "turnSeq" = "Chat"."turnSeq" + 2,
        "systemPrompt" = CASE WHEN ${s !== undefined}::boolean THEN EXCLUDED."systemPrompt" ELSE "Chat"."systemPrompt" END,
        "temperature" = CASE WHEN ${s !== undefined}::boolean THEN EXCLUDED."temperature" ELSE "Chat"."temperature" END,
        "maxOutputTokens" = CASE WHEN ${s !== undefined}::boolean THEN EXCLUDED."maxOutputTokens" ELSE "Chat"."maxOutputTokens" END
      RETURNING "turnSeq", (xmax = 0) AS "inserted"
    ), question AS (
      INSERT INTO "Message" ("userId", "id", "chatId", "role", "content", "status", "seq", "createdAt", "replyToId")
      SELECT ${userId}, ${c.message.id}, ${chatId}, 'user', ${c.message.text}, 'COMPLETE', "turnSeq" - 1, now(),
        CASE WHEN ${c.parentId === undefined}::boolean
          THEN (SELECT l."id" FROM "Message" l WHERE l."userId" = ${userId} AND l."chatId" = ${chatId}
            AND l."role" = 'assistant' ORDER BY l."seq" DESC, l."id" DESC LIMIT 1)
          ELSE ${c.parentId ?? null}::text END
      FROM chat
      ON CONFLICT ("userId", "id") DO NOTHING
      RETURNING "id"
    ), answer AS (
      INSERT INTO "Message" ("userId", "id", "chatId", "role", "content", "status", "provider", "model",
        "keySource", "replyToId", "seq", "heartbeatAt", "createdAt", "params")
      SELECT ${userId}, ${c.answerId}, ${chatId}, 'assistant', '', 'STREAMING', ${provider}, ${model},
        ${c.keySource}, ${c.message.id}, "turnSeq", now(), now(), ${params}::jsonb
      FROM chat
      WHERE EXISTS (SELECT 1 FROM question) OR EXISTS (
        SELECT 1 FROM "Message" q WHERE q."userId" = ${userId} AND q."id" = ${c.message.id}
          AND q."chatId" = ${chatId} AND q."role" = 'user')
      ON CONFLICT ("userId", "id") DO NOTHING
      RETURNING "id"
    )
    SELECT EXISTS (SELECT 1 FROM answer) AS "claimed", EXISTS (SELECT 1 FROM question) AS "createdMessage",
      COALESCE((SELECT "inserted" FROM chat), false) AS "createdChat"`;
  const r = rows[0];
  return {
    claimed: r?.claimed === true,
    createdMessage: r?.createdMessage === true,
    createdChat: r?.createdChat === true,
  };
}

/** A stored answer, as a duplicate request sees it. */
export type AnswerRow = {
  id: string;
  chatId: string;
  role: string;
  replyToId: string | null;
  content: string;
  parts: unknown;
  status: "STREAMING" | AssistantStatus;
  errorCode: string | null;
  provider: string | null;
  model: string | null;
  keySource: string | null;
  /** How the answer names the personal key that answered (absent in rows older than it). */
  keyLabel?: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  /** AnswerParams as stored (null: none recorded). */
  params: unknown;
  createdAt: Date;
  /** STREAMING with a heartbeat older than the bound: its process died. */
  stale: boolean;
};

/** SQL: whether the STREAMING row `alias` was left by a dead process (constant bound, no input). */
export const staleSql = (alias: string) =>
  Prisma.raw(
    `(${alias}."status" = 'STREAMING' AND (${alias}."heartbeatAt" IS NULL OR ${alias}."heartbeatAt" < now() - interval '${STALE_TURN_MS / 1000} seconds'))`,
  );

/** An answer row read as JSON (json_build_object): dates arrive as strings. */
export function parseAnswer(json: unknown): AnswerRow | null {
  if (json === null || json === undefined) return null;
  const o = (typeof json === "string" ? JSON.parse(json) : json) as AnswerRow & { createdAt: string };
  return { ...o, createdAt: new Date(o.createdAt) };
}

/** The row an answer id names for this user (any role: the caller checks it), or null. */
export async function readAnswer(db: Db, userId: string, answerId: string): Promise<AnswerRow | null> {
  const rows = await db.$queryRaw<{ answer: unknown }[]>`
    SELECT json_build_object('id', a."id", 'chatId', a."chatId", 'role', a."role", 'replyToId', a."replyToId",
      'content', a."content", 'parts', a."parts", 'status', a."status", 'errorCode', a."errorCode",
      'provider', a."provider", 'model', a."model", 'keySource', a."keySource", 'keyLabel', a."keyLabel",
      'inputTokens', a."inputTokens", 'outputTokens', a."outputTokens", 'reasoningTokens', a."reasoningTokens",
      'params', a."params", 'createdAt', a."createdAt" AT TIME ZONE 'UTC',
      'stale', ${staleSql("a")}) AS "answer"
    FROM "Message" a WHERE a."userId" = ${userId} AND a."id" = ${answerId}`;
  return parseAnswer(rows[0]?.answer);
}

/** Keeps an open turn's answer from being taken for a dead process's. */
export async function heartbeat(db: Db, userId: string, answerId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "Message" SET "heartbeatAt" = now()
    WHERE "userId" = ${userId} AND "id" = ${answerId} AND "status" = 'STREAMING'`;
}

/** Ends a dead process's STREAMING answer as ABORTED (only if it is still stale). */
export async function expireStale(db: Db, userId: string, answerId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "Message" a SET "status" = 'ABORTED', "heartbeatAt" = NULL
    WHERE a."userId" = ${userId} AND a."id" = ${answerId} AND ${staleSql("a")}`;
}

export type AnswerEnd = {
  id: string;
  userId: string;
  chatId: string;
  content: string;
  /** Reasoning streamed before the answer: stored as the message's parts (UI message part shapes). */
  reasoning?: string;
  status: AssistantStatus;
  errorCode?: string;
  provider: string;
  model: string;
  keySource: KeySource;
  /** The personal key that answered (several keys per provider), and how the answer names it. */
  keyId?: string;
  keyLabel?: string;
  /** reasoningTokens: of outputTokens, the thinking (when the provider reports it). */
  usage?: { inputTokens: number; outputTokens: number; reasoningTokens?: number };
  /** What the answer was asked with (system prompt used, temperature, max output). */
  params?: AnswerParams;
};

const partsOf = (a: { reasoning?: string; content: string }) =>
  a.reasoning
    ? JSON.stringify([
        { type: "reasoning", text: a.reasoning },
        { type: "text", text: a.content },
      ])
    : null;

/**
 * Completes a claimed answer in place (whatever way the turn ended), moves the chat to the top
 * of the history list and records the usage event: one statement, so all of it or none.
 */
export async function finishAnswer(db: Db, a: AnswerEnd): Promise<void> {
  const usage = a.usage;
  const cost = usage ? costMicros(a.provider, a.model, usage.inputTokens, usage.outputTokens) : 0;
  const params = a.params ? JSON.stringify(a.params) : null;
  await db.$executeRaw`
    WITH answer AS (
      UPDATE "Message" SET "content" = ${a.content}, "parts" = ${partsOf(a)}::jsonb,
        "status" = ${a.status}::"MessageStatus", "errorCode" = ${a.errorCode ?? null},
        "inputTokens" = ${usage?.inputTokens ?? null}::int, "outputTokens" = ${usage?.outputTokens ?? null}::int,
        "reasoningTokens" = ${usage?.reasoningTokens ?? null}::int,
        "params" = COALESCE(${params}::jsonb, "params"), "heartbeatAt" = NULL,
        "keyId" = ${a.keyId ?? null}, "keyLabel" = ${a.keyLabel ?? null}
      WHERE "userId" = ${a.userId} AND "id" = ${a.id}
      RETURNING "id"
    ), bumped AS (
      UPDATE "Chat" SET "updatedAt" = now() WHERE "userId" = ${a.userId} AND "id" = ${a.chatId}
    )
    INSERT INTO "UsageEvent" ("id", "userId", "provider", "keySource", "keyId", "model", "messageId",
      "inputTokens", "outputTokens", "reasoningTokens", "costMicros", "createdAt")
    SELECT ${randomUUID()}, ${a.userId}, ${a.provider}, ${a.keySource}, ${a.keyId ?? null}, ${a.model}, "id",
      ${usage?.inputTokens ?? 0}::int, ${usage?.outputTokens ?? 0}::int, ${usage?.reasoningTokens ?? 0}::int,
      ${cost}::int, now()
    FROM answer
    WHERE ${usage !== undefined}`;
}

/**
 * A provider call of a turn beside its answer (the model-written title) on the same key: its
 * tokens and cost count for the user's usage, the spending limits of the key and the provider,
 * and the operator's budgets on a system key. Not tied to a message.
 */
export async function recordExtraUsage(
  db: Db,
  a: {
    userId: string;
    provider: string;
    model: string;
    keySource: string;
    keyId?: string;
    usage: { inputTokens: number; outputTokens: number };
  },
): Promise<void> {
  const { inputTokens, outputTokens } = a.usage;
  if (inputTokens + outputTokens === 0) return;
  await db.$executeRaw`
    INSERT INTO "UsageEvent" ("id", "userId", "provider", "keySource", "keyId", "model", "messageId",
      "inputTokens", "outputTokens", "reasoningTokens", "costMicros", "createdAt")
    VALUES (${randomUUID()}, ${a.userId}, ${a.provider}, ${a.keySource}, ${a.keyId ?? null}, ${a.model}, NULL,
      ${inputTokens}::int, ${outputTokens}::int, 0, ${costMicros(a.provider, a.model, inputTokens, outputTokens)}::int, now())`;
}

/**
 * A whole turn written after the fact (the bench's docs-style route, which streams first and
 * stores at the end): the user message and one finished answer, in the chat's order.
 */
export async function saveTurn(db: Db, c: ClaimInput, end: Omit<AnswerEnd, "id" | "userId" | "chatId">) {
  if ((await claimTurn(db, c)).claimed) {
    await finishAnswer(db, { ...end, id: c.answerId, userId: c.userId, chatId: c.chatId });
  }
}

/**
 * Takes back a turn the provider refused before its first token (invalid key, quota, retries
 * run out): the browser puts the text back in the composer and shows no message, so nothing
 * of it may stay for a reload or the history list to show. Removes the user message (and the
 * answer row, if one was written) and, when the turn created the chat, the chat once it holds
 * nothing else. A message that existed before the turn (a resend, a regenerate) is not the
 * caller's to pass here.
 */
export async function discardFailedTurn(
  db: Db,
  input: {
    userId: string;
    chatId: string;
    userMessageId: string;
    answerMessageId?: string;
    chatCreated: boolean;
  },
): Promise<void> {
  const { userId, chatId, userMessageId } = input;
  const answerId = input.answerMessageId ?? userMessageId;
  // One statement: the chat goes only if no message outside this turn is in it (the NOT EXISTS
  // sees the snapshot before the DELETE, so this turn's rows are excluded by id).
  await db.$executeRaw`
    WITH gone AS (
      DELETE FROM "Message"
      WHERE "chatId" = ${chatId} AND "userId" = ${userId} AND "id" IN (${userMessageId}, ${answerId})
    )
    DELETE FROM "Chat" c
    WHERE ${input.chatCreated} AND c."id" = ${chatId} AND c."userId" = ${userId}
      AND NOT EXISTS (
        SELECT 1 FROM "Message" m
        WHERE m."userId" = ${userId} AND m."chatId" = ${chatId} AND m."id" NOT IN (${userMessageId}, ${answerId})
      )`;
}
