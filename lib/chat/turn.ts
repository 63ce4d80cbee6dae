import type { LanguageModelV4 } from "@ai-sdk/provider";
import { generateId } from "ai";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import { db as processDb } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, ERROR_CODES, type ErrorCode, invalidField } from "@/lib/errors";
import { endpointOf } from "@/lib/keys/endpoints";
import { walkKeys } from "@/lib/keys/failover";
import { checkSpendingOnKeys, type LimitHold, settleTurnSpending } from "@/lib/keys/limits";
import { chatCandidates, FAILOVER_CODES } from "@/lib/keys/order";
import type { KeySource } from "@/lib/keys/policy";
import {
  type KeyRow,
  markKeyInvalid,
  nextPersonalKey,
  type PreloadedKeys,
  type ResolvedKey,
  resolveKey,
  touchKeyUsed,
} from "@/lib/keys/resolve";
import { log } from "@/lib/log";
import type { KeyOpts, ProviderCallDeps } from "./call-deps";
import { sameSettings } from "./chat-settings";
import { DEFAULT_CONTEXT_BUDGET_CHARS } from "./context";
import { checkModelOffered } from "./model-check";
import { ClientAbortError, type OpenedStream, openStream } from "./open-stream";
import { type AnswerParams, type ChatSettings, resolveParams } from "./params";
import {
  type AnswerRow,
  claimTurn,
  type Db,
  discardFailedTurn,
  expireStale,
  finishAnswer,
  HEARTBEAT_MS,
  heartbeat,
  readAnswer,
  recordExtraUsage,
} from "./persist";
import { checkChatRateLimit } from "./rate-limit";
import { fallbackTitle, generateTitle } from "./titles";
import { loadTurnContext } from "./turn-context";
import type { AssistantStatus, ChatMessageMetadata } from "./types";
import { replayStream, retryingStream, uiStream } from "./ui-stream";

// One chat turn: check → resolve key → build the model for this request → stream → persist.
// Everything that talks to the outside world is injected (the optional last argument), so tests
// run it against a fresh database and the mock upstream; the route handler leaves it out.

export type TurnDeps = ProviderCallDeps & {
  db: Db;
  touchKeyUsed?: (userId: string, provider: ProviderId, opts?: KeyOpts) => Promise<unknown>;
  /** Throws AppError RATE_LIMITED when the user is over budget for this key source. */
  checkRateLimit?: (userId: string, source: KeySource) => Promise<void>;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  contextBudgetChars?: number;
  /** Off in tests that count upstream requests. */
  autoTitle?: boolean;
};

/** The process's: its database, key vault, provider SDKs, rate limits and logger. */
export function turnDeps(): TurnDeps {
  return {
    db: processDb(),
    resolveKey,
    nextKey: nextPersonalKey,
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
   * The answer a new message follows (null: the chat's first message; absent: the chat's
   * latest answer). An edit names the edited message's parent: the new message is its version.
   */
  parentId?: string | null;
  /** Instead of parentId: the user message this one is an edited version of (same parent). */
  editOf?: string;
  /**
   * The spending-limit estimate's maximum output when the chat sets none (the chat's own
   * setting, capped by the model's limit, takes precedence).
   */
  maxOutputTokens?: number;
  /** The chat's settings as the browser has them: used for this turn, stored when they changed. */
  settings?: ChatSettings;
  /**
   * The answer this request asks for (the browser generates one per send, regenerate and
   * retry). The same answer id gets one provider call in total: a duplicate request replays
   * the stored answer, or is refused with TURN_IN_PROGRESS while the first still streams.
   * A new answer id for the same user message is a new version of its answer.
   */
  answerId?: string;
  /**
   * OpenAI-compatible: the endpoint to run on, by the id of one of its keys (lib/keys/endpoints.ts);
   * absent: the first endpoint. Failover stays among that endpoint's keys.
   */
  keyId?: string;
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
  const keyRows = endpointKeyRows(input, ctx.keyRows);
  await checkModelOffered(
    db,
    userId,
    input.provider,
    input.model,
    input.provider === "compatible" ? keyRows.map((r) => r.id) : undefined,
  );

  const keys: PreloadedKeys = { rows: keyRows };
  // `let`: a key refused before the first token hands the turn to the user's next key.
  let key = await deps.resolveKey(userId, input.provider, keys);
  await deps.checkRateLimit?.(userId, key.source);

  // Built per request from this request's key; may still refuse (e.g. a bad base URL).
  const modelFor = (k: ResolvedKey) =>
    deps.createModel({
      provider: input.provider,
      apiKey: k.apiKey,
      baseUrl: k.baseUrl,
      modelId: input.model,
    });
  let model = modelFor(key);
  // Instructions and parameters: the request's settings (the dialog's), else the chat's stored ones.
  const settings = input.settings ?? ctx.settings;
  const params = resolveParams(settings, ctx.defaultSystemPrompt, input.provider, input.model);
  const settingsChanged = input.settings !== undefined && !sameSettings(input.settings, ctx.settings);
  // Several keys: the next one not tried yet, and the record of each hand-over.
  const walk = walkKeys({
    db,
    userId,
    provider: input.provider,
    rows: keyRows,
    first: key,
    nextKey: deps.nextKey,
    logPrefix: "chat",
    ...(deps.log ? { log: deps.log } : {}),
  });
  // A key passed over for one of its own limits: recorded like a failover, before any call on it.
  const skipped = (from: ResolvedKey, to: ResolvedKey, e: AppError) =>
    walk.handOver(from, to, e.code, "key_limit");
  // The user's own spending limits (the provider's, and the key's own), with this turn's estimate
  // held until it is settled; a key at its own limit hands the turn to the next key. The turn's
  // one lookup says whether there are any, so a user without limits pays no extra query.
  const spendingInput = {
    userId,
    provider: input.provider,
    model: input.model,
    promptChars: promptChars(messages),
    maxOutputTokens: params.call.maxOutputTokens ?? input.maxOutputTokens,
  };
  let spending: LimitHold | null = null;
  if (ctx.hasSpendingLimits) {
    const checked = await checkSpendingOnKeys(db, spendingInput, key, walk.next, skipped);
    spending = checked.spending;
    if (checked.key !== key) {
      key = checked.key;
      model = modelFor(key);
    }
  }

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
    parentId: ctx.parentId,
    answerId,
    // Stored with the claim (one statement) when the request's settings differ from the chat's.
    ...(settingsChanged ? { settings } : {}),
    params: params.record,
  }).catch((e: unknown) => {
    settleTurnSpending(spending); // no provider call will follow
    throw e;
  });
  if (!claim.claimed) {
    settleTurnSpending(spending);
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
          ...(key.keyId ? { keyId: key.keyId } : {}),
          ...(key.keyLabel ? { keyLabel: key.keyLabel } : {}),
          usage,
          params: params.record,
        });
      } catch (e) {
        persisted = false;
        deps.log?.("chat.persist_failed", { chatId, error: e instanceof Error ? e.name : typeof e });
      }
      settleTurnSpending(spending); // the UsageEvent written with the answer holds the real cost
      const titleDone =
        persisted && status === "COMPLETE" && ctx.isNewChat && deps.autoTitle !== false
          ? retitle(deps, {
              userId,
              chatId,
              fallback: title,
              model,
              userText,
              usageOf: {
                provider: input.provider,
                model: input.model,
                keySource: key.source,
                ...(key.keyId ? { keyId: key.keyId } : {}),
              },
            })
          : Promise.resolve(undefined);
      if (status === "COMPLETE" && key.source === "personal") {
        void deps
          .touchKeyUsed?.(userId, input.provider, { keyVersion: key.keyVersion, keyId: key.keyId })
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

  // The provider refused a message this turn brought before its first token (invalid key,
  // quota, retries run out): the browser puts the text back in the composer and shows none of
  // it as sent, so nothing of the turn stays — a reload and the history list show what the live
  // view showed. The claim's rows are taken back, with the chat when this turn created it.
  const discard = (errorCode: string): Promise<TurnResult> => {
    finalized ??= (async () => {
      clearInterval(beat);
      await discardFailedTurn(db, {
        userId,
        chatId,
        userMessageId: input.message.id,
        answerMessageId: assistantMessageId,
        chatCreated: claim.createdChat,
      }).catch((e: unknown) =>
        deps.log?.("chat.discard_failed", { chatId, error: e instanceof Error ? e.name : typeof e }),
      );
      settleTurnSpending(spending); // refused before its first token: nothing was spent
      const result: TurnResult = {
        assistantMessageId,
        status: "ERROR",
        text: "",
        errorCode,
        title: Promise.resolve(undefined),
      };
      settle(result);
      return result;
    })();
    return finalized;
  };

  // An error before the first token, thrown. A refused new message is taken back (above); a
  // resend or regenerate of a stored message keeps the turn's ERROR row, and a cut (the browser
  // left) keeps an ABORTED one: the answer id was claimed, so a duplicate replays, never re-calls.
  const refuse = async (e: unknown): Promise<never> => {
    if (e instanceof ClientAbortError) {
      await finalize("ABORTED", "");
      throw new AppError("PROVIDER_UNAVAILABLE", "The request was cancelled.", { status: 499 });
    }
    const err = forKeySource(e instanceof AppError ? e : deps.mapError(e, input.provider), key.source);
    if (err.code === "INVALID_API_KEY" && key.source === "personal") {
      await deps
        .markKeyInvalid(userId, input.provider, { keyVersion: key.keyVersion, keyId: key.keyId })
        .catch(() => undefined);
    }
    if (claim.createdMessage) await discard(err.code);
    else await finalize("ERROR", "", err.code);
    throw err;
  };

  // The first retry (a rate limit, a 5xx) means seconds of waiting: the response starts then,
  // with a transient notice, instead of after the first token (see retryingStream).
  let retrying: () => void = () => undefined;
  const retried = new Promise<null>((resolve) => {
    retrying = () => resolve(null);
  });
  const anotherKey = () => walk.hasAnother(key);
  const openOnce = () =>
    openStream({
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
      // A rate-limited key with another behind it: the next key now, not a backoff on this one.
      failover: (err) => FAILOVER_CODES.has(err.code) && anotherKey(),
      onRetry: (r) => {
        deps.log?.("chat.retry", { provider: input.provider, ...r });
        retrying();
      },
    });
  // Before the first token only (openStream returns at the first token): failover never
  // replays part of an answer, and never leaves the user's keys for the system key.
  const openWithFailover = async (): Promise<OpenedStream> => {
    for (;;) {
      try {
        return await openOnce();
      } catch (e) {
        if (!(e instanceof AppError) || !FAILOVER_CODES.has(e.code) || !anotherKey()) throw e;
        let next = await walk.next();
        if (!next) throw e;
        const from = key;
        if (e.code === "INVALID_API_KEY")
          await deps
            .markKeyInvalid(userId, input.provider, { keyVersion: from.keyVersion, keyId: from.keyId })
            .catch(() => undefined);
        await walk.handOver(from, next, e.code);
        // The next key's own limits hold as the first key's did (skipping any at its limit).
        if (ctx.hasSpendingLimits) {
          const checked = await checkSpendingOnKeys(db, spendingInput, next, walk.next, skipped, spending);
          spending = checked.spending;
          next = checked.key;
        }
        key = next;
        model = modelFor(next);
      }
    }
  };
  const opening = openWithFailover().then((opened) => toUiStream(opened), refuse);
  const toUiStream = (opened: OpenedStream) => {
    if (key.source === "personal" && key.keyLabel) meta.keyLabel = key.keyLabel;
    if (key.source === "personal" && key.keyId && input.provider === "compatible") meta.keyId = key.keyId;
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

/**
 * The keys a turn may run on. OpenAI-compatible: those of the endpoint the request names (by
 * one of its keys' ids; unknown or another user's → NOT_FOUND), else of the first endpoint a
 * chat would use; the model check reads only their lists. Other providers: all their keys.
 */
function endpointKeyRows(input: TurnInput, rows: KeyRow[]): KeyRow[] {
  if (input.keyId !== undefined) {
    if (input.provider !== "compatible")
      throw invalidField("keyId", "Only an OpenAI-compatible chat names an endpoint.");
    const endpoint = endpointOf(rows, input.keyId);
    if (!endpoint) throw new AppError("NOT_FOUND", "That endpoint is gone. Choose another model.");
    return endpoint.rows;
  }
  if (input.provider !== "compatible") return rows;
  const first = chatCandidates("compatible", rows)[0] ?? rows[0];
  return (first && endpointOf(rows, first.id)?.rows) || rows;
}

function ignoredFeatures(opened: OpenedStream): Set<string> {
  const start = opened.head.find((p) => p.type === "stream-start");
  return new Set(
    start?.type === "stream-start" ? start.warnings.map((w) => ("feature" in w ? w.feature : "")) : [],
  );
}

/** Characters the provider will read: the basis of the spending estimate (~4 a token). */
function promptChars(messages: { content: unknown }[]): number {
  let n = 0;
  for (const m of messages) {
    if (typeof m.content === "string") n += m.content.length;
    else if (Array.isArray(m.content))
      for (const p of m.content) n += typeof p?.text === "string" ? p.text.length : 0;
  }
  return n;
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
      ? {
          inputTokens: row.inputTokens ?? 0,
          outputTokens: row.outputTokens ?? 0,
          ...(typeof row.reasoningTokens === "number" ? { reasoningTokens: row.reasoningTokens } : {}),
        }
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
        ...(row.keyLabel ? { keyLabel: row.keyLabel } : {}),
        ...(row.params && typeof row.params === "object" ? { params: row.params as AnswerParams } : {}),
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
  a: {
    userId: string;
    chatId: string;
    fallback: string;
    model: LanguageModelV4;
    userText: string;
    /** The answer's provider, model and key: the title call ran on them. */
    usageOf: { provider: string; model: string; keySource: string; keyId?: string };
  },
): Promise<string | undefined> {
  const { title, usage } = await generateTitle(a.model, a.userText);
  if (usage) {
    await recordExtraUsage(deps.db, { userId: a.userId, ...a.usageOf, usage }).catch((e) =>
      deps.log?.("chat.title_usage_failed", {
        chatId: a.chatId,
        error: e instanceof Error ? e.name : typeof e,
      }),
    );
  }
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
