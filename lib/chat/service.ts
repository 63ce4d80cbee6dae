import "server-only";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { markKeyInvalid, resolveKey, touchKeyUsed } from "@/lib/keys";
import { log } from "@/lib/log";
import * as history from "./history";
import { checkChatRateLimit } from "./rate-limit";
import { searchChats as search } from "./search";
import { startTurn as start, type TurnDeps, type TurnInput } from "./turn";
import { usageSummary as usage } from "./usage";

// lib/chat on the process's database, key vault and limits: what route handlers and pages call.
// Tests call the underlying functions with their own dependencies.

export function chatDeps(): TurnDeps {
  return {
    db: db(),
    resolveKey,
    markKeyInvalid,
    touchKeyUsed,
    createModel: createLanguageModel,
    mapError: toAppError,
    isRetryable,
    checkRateLimit: checkChatRateLimit,
    autoTitle: env().CHAT_MODEL_TITLES,
    log: (event, data) => log.info(event, data),
  };
}

export const startTurn = (input: TurnInput, signal: AbortSignal) => start(chatDeps(), input, signal);
export const listChats = (userId: string, opts?: { cursor?: string; limit?: number }) =>
  history.listChats(db(), userId, opts);
export const getChat = (userId: string, chatId: string) => history.getChat(db(), userId, chatId);
export const renameChat = (userId: string, chatId: string, title: string) =>
  history.renameChat(db(), userId, chatId, title);
export const deleteChat = (userId: string, chatId: string) => history.deleteChat(db(), userId, chatId);
export const listMessages = (userId: string, chatId: string, opts?: { before?: string; limit?: number }) =>
  history.listMessages(db(), userId, chatId, opts);
export const searchChats = (userId: string, q: string, limit?: number) => search(db(), userId, q, limit);
/** Per provider, today and the last 30 days: tokens, requests and estimated cost. */
export const usageSummary = (userId: string) => usage(db(), userId);

export type { ChatPage, ChatSummary, MessagePage } from "./history";
export type { ChatSearchHit } from "./search";
export type { TurnInput } from "./turn";
export type { ProviderUsage, UsageSummary, UsageTotals } from "./usage";
