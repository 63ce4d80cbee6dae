import type { LanguageModelV4 } from "@ai-sdk/provider";
import { generateId } from "ai";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { type CreateModelInput, createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import { db as processDb } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { KeySource } from "@/lib/keys/policy";
import { type KeyRow, markKeyInvalid, type ResolvedKey, resolveKey, touchKeyUsed } from "@/lib/keys/resolve";
import { log } from "@/lib/log";
import { sameSettings, writeChatSettings } from "./chat-settings";
import { DEFAULT_CONTEXT_BUDGET_CHARS } from "./context";
import { ClientAbortError, type OpenedStream, openStream } from "./open-stream";
import { type ChatSettings, resolveParams } from "./params";
import { type Db, saveAssistantMessage, saveUserMessage } from "./persist";
import { checkChatRateLimit } from "./rate-limit";
import type { RetryPolicy } from "./retry";
import { fallbackTitle, generateTitle } from "./titles";
import { loadTurnContext } from "./turn-context";
import type { AssistantStatus, ChatMessageMetadata } from "./types";
import { retryingStream, uiStream } from "./ui-stream";

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
  /** The chat's settings as the browser has them: used for this turn, stored when they changed. */
  settings?: ChatSettings;
};

export type TurnResult = {
  assistantMessageId: string;
  status: AssistantStatus;
  text: string;
  /** What a reasoning model streamed before its answer (stored in the message's parts). */
  reasoning?: string;
  errorCode?: string;
  usage?: { inputTokens: number; outputTokens: number; reasoningTokens?: number };
  /** Settles when the background title (first turn of a new chat) is written or given up. */
  title: Promise<string | undefined>;
};

export type TurnHandle = {
  assistantMessageId: string;
  /** The UI message stream for `useChat`, as Server-Sent Event bytes. */
  stream: ReadableStream<Uint8Array>;
  /** Settles once the assistant row is written (however the turn ended). */
  done: Promise<TurnResult>;
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

  // Instructions and parameters: the request's settings (the dialog's), else the chat's stored ones.
  const settings = input.settings ?? ctx.settings;
  const params = resolveParams(settings, ctx.defaultSystemPrompt, input.provider, input.model);
  const settingsChanged = input.settings !== undefined && !sameSettings(input.settings, ctx.settings);

  const userCreatedAt = ctx.priorCreatedAt ?? new Date();
  const title = fallbackTitle(userText);
  // Started once the upstream has answered (its headers, or a failure), never awaited on the
  // way to the first token: the writes run while the provider thinks, not before the request
  // leaves (a write started with the request would compete with it for the event loop,
  // in-thread PGlite or Prisma's own work). Awaited before the assistant's row is written.
  let userWrite: Promise<unknown> | undefined;
  const writeUserMessage = () => {
    userWrite ??= saveUserMessage(db, {
      userId,
      chatId,
      title,
      provider: input.provider,
      model: input.model,
      message: { id: input.message.id, text: userText },
      createdAt: userCreatedAt,
    })
      // After the row exists (a new chat's is created by the message): rare, only on a change.
      .then(() => (settingsChanged ? writeChatSettings(db, userId, chatId, settings) : undefined))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    return userWrite;
  };

  const assistantMessageId = generateId();
  const meta: ChatMessageMetadata = {
    provider: input.provider,
    model: input.model,
    keySource: key.source,
    createdAt: new Date().toISOString(),
    params: params.record,
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
      const writeError = await writeUserMessage();
      let persisted = writeError === undefined;
      if (persisted) {
        try {
          await saveAssistantMessage(db, {
            id: assistantMessageId,
            userId,
            chatId,
            replyTo: { createdAt: userCreatedAt },
            content: text,
            reasoning,
            status,
            errorCode,
            provider: input.provider,
            model: input.model,
            keySource: key.source,
            usage,
            params: params.record,
          });
        } catch (e) {
          persisted = false;
          deps.log?.("chat.persist_failed", { chatId, error: e instanceof Error ? e.name : typeof e });
        }
      } else {
        deps.log?.("chat.persist_failed", {
          chatId,
          error: writeError instanceof Error ? writeError.name : "unknown",
        });
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
    ...params.call,
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
    onUpstreamAnswered: () => void writeUserMessage(),
  }).then((opened) => toUiStream(opened), refuse);
  const toUiStream = (opened: OpenedStream) => {
    // The provider SDK drops what the model does not take (temperature on a reasoning model)
    // and says so in its warnings: the answer records what was really sent.
    if (params.call.temperature !== undefined && ignoredFeatures(opened).has("temperature"))
      params.record.temperatureIgnored = true;
    return uiStream(opened, {
      assistantMessageId,
      meta,
      finalize,
      mapError: deps.mapError,
      provider: input.provider,
    });
  };

  const first = await Promise.race([opening, retried]);
  return { assistantMessageId, stream: first ?? retryingStream(opening), done };
}

function ignoredFeatures(opened: OpenedStream): Set<string> {
  const start = opened.head.find((p) => p.type === "stream-start");
  return new Set(
    start?.type === "stream-start" ? start.warnings.map((w) => ("feature" in w ? w.feature : "")) : [],
  );
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
