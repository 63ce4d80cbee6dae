import type { LanguageModelV4 } from "@ai-sdk/provider";
import { generateId } from "ai";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { type CreateModelInput, createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import { db as processDb } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, ERROR_CODES, type ErrorCode } from "@/lib/errors";
import type { KeySource } from "@/lib/keys/policy";
import { type KeyRow, markKeyInvalid, type ResolvedKey, resolveKey, touchKeyUsed } from "@/lib/keys/resolve";
import { log } from "@/lib/log";
import { DEFAULT_CONTEXT_BUDGET_CHARS } from "./context";
import { ClientAbortError, type OpenedStream, openStream } from "./open-stream";
import {
  type AnswerRow,
  claimTurn,
  type Db,
  expireStale,
  finishAnswer,
  HEARTBEAT_MS,
  heartbeat,
  readAnswer,
} from "./persist";
import { checkChatRateLimit } from "./rate-limit";
import type { RetryPolicy } from "./retry";
import { fallbackTitle, generateTitle } from "./titles";
import { loadTurnContext } from "./turn-context";
import type { AssistantStatus, ChatMessageMetadata } from "./types";
import { replayStream, retryingStream, uiStream } from "./ui-stream";

// One chat turn: check → resolve key → build the model for this request → stream → persist.
// Everything that talks to the outside world is injected (the optional last argument), so tests
// run it against a fresh database and the mock upstream; the route handler leaves it out.

export type TurnDeps = {
  db: Db;
  /** `preloaded`: the user's key row as the turn's lookup read it (null: none). */
  resolveKey: (
    userId: string,
    provider: ProviderId,
    preloaded?: { row: KeyRow | null },
  ) => Promise<ResolvedKey>;
  markKeyInvalid: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) => Promise<unknown>;
  touchKeyUsed?: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) => Promise<unknown>;
  createModel: (input: CreateModelInput) => LanguageModelV4;
  mapError: (error: unknown, provider: string) => AppError;
  isRetryable: (error: unknown) => boolean;
  /** Throws AppError RATE_LIMITED when the user is over budget for this key source. */
  checkRateLimit?: (userId: string, source: KeySource) => Promise<void>;
  retryPolicy?: RetryPolicy;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  contextBudgetChars?: number;
  /** Off in tests that count upstream requests. */
  autoTitle?: boolean;
  log?: (event: string, data: Record<string, unknown>) => void;
};

/** The process's: its database, key vault, provider SDKs, rate limits and logger. */
export function turnDeps(): TurnDeps {
  return {
    db: processDb(),
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

export type TurnInput = {
  userId: string;
  chatId: string;
  message: { id: string; text: string };
  provider: ProviderId;
  model: string;
  regenerate?: boolean;
  /**
   * The answer this request asks for (the browser generates one per send, regenerate and
   * retry). The same answer id gets one provider call in total: a duplicate request replays
   * the stored answer, or is refused with TURN_IN_PROGRESS while the first still streams.
   * A new answer id for the same user message is a new version of its answer.
   */
  answerId?: string;
};

export type TurnResult = {
  assistantMessageId: string;
  status: AssistantStatus;
  text: string;
  /** What a reasoning model streamed before its answer (stored in the message's parts). */
  reasoning?: string;
  errorCode?: string;
  usage?: { inputTokens: number; outputTokens: number };
  /** Settles when the background title (first turn of a new chat) is written or given up. */
  title: Promise<string | undefined>;
};

export type TurnHandle = {
  assistantMessageId: string;
  /** The UI message stream for `useChat`, as Server-Sent Event bytes. */
  stream: ReadableStream<Uint8Array>;
  /** Settles once the assistant row is written (however the turn ended). */
  done: Promise<TurnResult>;
  /** A duplicate request's answer, replayed from the database (no provider call). */
  replayed?: boolean;
};

/** Starts a turn. Throws AppError for everything that goes wrong before the first token. */
export async function startTurn(
  input: TurnInput,
  signal: AbortSignal,
  deps: TurnDeps = turnDeps(),
): Promise<TurnHandle> {
  const { db } = deps;
  const { userId, chatId } = input;
  const ctx = await loadTurnContext(db, input, deps.contextBudgetChars ?? DEFAULT_CONTEXT_BUDGET_CHARS);
  if (ctx.answer) return duplicate(db, userId, input, ctx.answer);
  const { userText, messages } = ctx;

  const key = await deps.resolveKey(userId, input.provider, { row: ctx.keyRow });
  await deps.checkRateLimit?.(userId, key.source);

  // Built per request from this request's key; may still refuse (e.g. a bad base URL).
  const model = deps.createModel({
    provider: input.provider,
    apiKey: key.apiKey,
    baseUrl: key.baseUrl,
    modelId: input.model,
  });

  const title = fallbackTitle(userText);
  const answerId = input.answerId ?? generateId();
  // The claim: the user message and a STREAMING answer row, before the provider is called. A
  // request that loses it (the same answer id, concurrently) never calls the provider.
  // (claim.createdMessage / createdChat: what a turn refused before its first token may take back.)
  const claim = await claimTurn(db, {
    userId,
    chatId,
    title,
    provider: input.provider,
    model: input.model,
    keySource: key.source,
    message: { id: input.message.id, text: userText },
    answerId,
  });
  if (!claim.claimed) {
    const row = await readAnswer(db, userId, answerId);
    if (!row) throw new AppError("CONFLICT", "This message id is already in use.");
    return duplicate(db, userId, input, row);
  }
  // An open turn keeps its row from looking like a dead process's (see STALE_TURN_MS).
  const beat = setInterval(() => void heartbeat(db, userId, answerId).catch(() => undefined), HEARTBEAT_MS);
  beat.unref?.();

  const assistantMessageId = answerId;
  const meta: ChatMessageMetadata = {
    provider: input.provider,
    model: input.model,
    keySource: key.source,
    createdAt: new Date().toISOString(),
  };

  let finalized: Promise<TurnResult> | undefined;
  let settle: (r: TurnResult) => void = () => undefined;
  const done = new Promise<TurnResult>((resolve) => {
    settle = resolve;
  });
  const finalize = (
    status: AssistantStatus,
    text: string,
    errorCode?: string,
    usage?: TurnResult["usage"],
    reasoning?: string,
  ): Promise<TurnResult> => {
    finalized ??= (async () => {
      clearInterval(beat);
      let persisted = true;
      try {
        await finishAnswer(db, {
          id: assistantMessageId,
          userId,
          chatId,
          content: text,
          reasoning,
          status,
          errorCode,
          provider: input.provider,
          model: input.model,
          keySource: key.source,
          usage,
        });
      } catch (e) {
        persisted = false;
        deps.log?.("chat.persist_failed", { chatId, error: e instanceof Error ? e.name : typeof e });
      }
      const titleDone =
        persisted && status === "COMPLETE" && ctx.isNewChat && deps.autoTitle !== false
          ? retitle(deps, { userId, chatId, fallback: title, model, userText })
          : Promise.resolve(undefined);
      if (status === "COMPLETE" && key.source === "personal") {
        void deps
          .touchKeyUsed?.(userId, input.provider, { keyVersion: key.keyVersion })
          ?.catch(() => undefined);
      }
      const result = {
        assistantMessageId,
        status,
        text,
        ...(reasoning ? { reasoning } : {}),
        errorCode,
        usage,
        title: titleDone,
      };
      settle(result);
      return result;
    })();
    return finalized;
  };

  // An error before the first token: stored as the turn's ERROR (or ABORTED) row, then thrown.
  const refuse = async (e: unknown): Promise<never> => {
    if (e instanceof ClientAbortError) {
      await finalize("ABORTED", "");
      throw new AppError("PROVIDER_UNAVAILABLE", "The request was cancelled.", { status: 499 });
    }
    const err = forKeySource(e instanceof AppError ? e : deps.mapError(e, input.provider), key.source);
    if (err.code === "INVALID_API_KEY" && key.source === "personal") {
      await deps
        .markKeyInvalid(userId, input.provider, { keyVersion: key.keyVersion })
        .catch(() => undefined);
    }
    await finalize("ERROR", "", err.code);
    throw err;
  };

  // The first retry (a rate limit, a 5xx) means seconds of waiting: the response starts then,
  // with a transient notice, instead of after the first token (see retryingStream).
  let retrying: () => void = () => undefined;
  const retried = new Promise<null>((resolve) => {
    retrying = () => resolve(null);
  });
  const opening = openStream({
    model,
    messages,
    provider: input.provider,
    signal,
    mapError: deps.mapError,
    isRetryable: deps.isRetryable,
    policy: deps.retryPolicy,
    firstChunkTimeoutMs: deps.firstChunkTimeoutMs,
    idleTimeoutMs: deps.idleTimeoutMs,
    onRetry: (r) => {
      deps.log?.("chat.retry", { provider: input.provider, ...r });
      retrying();
    },
  }).then((opened) => toUiStream(opened), refuse);
  const toUiStream = (opened: OpenedStream) =>
    uiStream(opened, {
      assistantMessageId,
      meta,
      finalize,
      mapError: deps.mapError,
      provider: input.provider,
    });

  const first = await Promise.race([opening, retried]);
  return { assistantMessageId, stream: first ?? retryingStream(opening), done };
}

/**
 * A request for an answer id that already has its row: the same user message's answer, replayed
 * from the database as the stream the first request sent (no provider call); refused while the
 * first request still streams; ended as ABORTED first when its process died.
 */
async function duplicate(db: Db, userId: string, input: TurnInput, row: AnswerRow): Promise<TurnHandle> {
  if (row.role !== "assistant" || row.replyToId !== input.message.id || row.chatId !== input.chatId) {
    throw new AppError("CONFLICT", "This answer id is already in use.");
  }
  if (row.status === "STREAMING" && !row.stale) {
    throw new AppError("TURN_IN_PROGRESS");
  }
  if (row.status === "STREAMING") await expireStale(db, userId, row.id);
  const status: AssistantStatus = row.status === "STREAMING" ? "ABORTED" : row.status;
  // Refused before its first token: the first request answered with this error, so does this one.
  if (status === "ERROR" && !row.content) throw new AppError(asErrorCode(row.errorCode));
  const usage =
    row.inputTokens !== null || row.outputTokens !== null
      ? { inputTokens: row.inputTokens ?? 0, outputTokens: row.outputTokens ?? 0 }
      : undefined;
  const reasoning = reasoningOf(row.parts);
  const result: TurnResult = {
    assistantMessageId: row.id,
    status,
    text: row.content,
    ...(reasoning ? { reasoning } : {}),
    ...(row.errorCode ? { errorCode: row.errorCode } : {}),
    usage,
    title: Promise.resolve(undefined),
  };
  return {
    assistantMessageId: row.id,
    stream: replayStream({
      id: row.id,
      text: row.content,
      reasoning,
      status,
      errorCode: row.errorCode ?? undefined,
      usage,
      meta: {
        ...(row.provider ? { provider: row.provider } : {}),
        ...(row.model ? { model: row.model } : {}),
        ...(row.keySource ? { keySource: row.keySource as KeySource } : {}),
        createdAt: row.createdAt.toISOString(),
      },
    }),
    done: Promise.resolve(result),
    replayed: true,
  };
}

const asErrorCode = (code: string | null): ErrorCode =>
  code && code in ERROR_CODES ? (code as ErrorCode) : "PROVIDER_UNAVAILABLE";

function reasoningOf(parts: unknown): string | undefined {
  if (!Array.isArray(parts)) return undefined;
  const r = parts.find((p) => (p as { type?: string }).type === "reasoning") as { text?: string } | undefined;
  return r?.text || undefined;
}

/** The system key is the operator's: its failures are not the user's to fix in settings. */
function forKeySource(err: AppError, source: KeySource): AppError {
  if (source !== "system") return err;
  if (err.code === "INVALID_API_KEY" || err.code === "QUOTA_EXCEEDED") {
    return new AppError(
      err.code,
      "The shared key for this provider is not working right now. Add your own API key to continue.",
    );
  }
  return err;
}

async function retitle(
  deps: TurnDeps,
  a: { userId: string; chatId: string; fallback: string; model: LanguageModelV4; userText: string },
): Promise<string | undefined> {
  const title = await generateTitle(a.model, a.userText);
  if (!title || title === a.fallback) return undefined;
  try {
    // Only replaces the automatic title: a rename made meanwhile wins.
    const res = await deps.db.chat.updateMany({
      where: { id: a.chatId, userId: a.userId, title: a.fallback },
      data: { title },
    });
    return res.count > 0 ? title : undefined;
  } catch {
    return undefined;
  }
}
