import { generateId, type LanguageModel, type UIMessageChunk } from "ai";
import type { ProviderId } from "@/lib/ai";
import type { CreateModelInput } from "@/lib/ai/model";
import { AppError, defaultMessage } from "@/lib/errors";
import type { ResolvedKey } from "@/lib/keys";
import { buildContext, DEFAULT_CONTEXT_BUDGET_CHARS } from "./context";
import { ClientAbortError, type OpenedStream, openStream, type StreamPart } from "./open-stream";
import { type Db, saveAssistantMessage, saveUserMessage } from "./persist";
import type { RetryPolicy } from "./retry";
import { fallbackTitle, generateTitle } from "./titles";
import type { AssistantStatus, ChatErrorPayload, ChatMessageMetadata, KeySource } from "./types";

// One chat turn: check → resolve key → build the model for this request → stream → persist.
// Everything that talks to the outside world is injected, so tests run it against a fresh
// database and the mock upstream, and the route handler passes the real ones.

export type TurnDeps = {
  db: Db;
  resolveKey: (userId: string, provider: ProviderId) => Promise<ResolvedKey>;
  markKeyInvalid: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) => Promise<unknown>;
  touchKeyUsed?: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) => Promise<unknown>;
  createModel: (input: CreateModelInput) => LanguageModel;
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

export type TurnInput = {
  userId: string;
  chatId: string;
  message: { id: string; text: string };
  provider: ProviderId;
  model: string;
  regenerate?: boolean;
};

export type TurnResult = {
  assistantMessageId: string;
  status: AssistantStatus;
  text: string;
  errorCode?: string;
  usage?: { inputTokens: number; outputTokens: number };
  /** Settles when the background title (first turn of a new chat) is written or given up. */
  title: Promise<string | undefined>;
};

export type TurnHandle = {
  assistantMessageId: string;
  /** UI message stream chunks for `useChat`. */
  stream: ReadableStream<UIMessageChunk>;
  /** Settles once the assistant row is written (however the turn ended). */
  done: Promise<TurnResult>;
};

const HISTORY_LIMIT = 200;

/** Starts a turn. Throws AppError for everything that goes wrong before the first token. */
export async function startTurn(deps: TurnDeps, input: TurnInput, signal: AbortSignal): Promise<TurnHandle> {
  const { db, userId, chatId } = { db: deps.db, ...input };
  const chat = await db.chat.findUnique({ where: { id: chatId }, select: { userId: true } });
  // Someone else's chat looks exactly like a missing one.
  if (chat && chat.userId !== userId) throw new AppError("NOT_FOUND", "Chat not found.");

  const prior = await db.message.findUnique({
    where: { id: input.message.id },
    select: { chatId: true, userId: true, role: true, content: true, createdAt: true },
  });
  if (prior && (prior.userId !== userId || prior.chatId !== chatId || prior.role !== "user")) {
    throw new AppError("CONFLICT", "This message id is already in use.");
  }
  if (input.regenerate && !prior) throw new AppError("NOT_FOUND", "There is no message to answer again.");
  if (prior) {
    const later = await db.message.count({
      where: { chatId, userId, role: "user", createdAt: { gt: prior.createdAt } },
    });
    if (later > 0) throw new AppError("CONFLICT", "Only the latest message can be answered again.");
  }

  const history = chat
    ? await db.message.findMany({
        where: { chatId, userId, ...(prior ? { createdAt: { lt: prior.createdAt } } : {}) },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: HISTORY_LIMIT,
        select: { role: true, content: true },
      })
    : [];
  const userText = prior?.content ?? input.message.text;
  const messages = buildContext(
    [...history.reverse(), { role: "user", content: userText }],
    deps.contextBudgetChars ?? DEFAULT_CONTEXT_BUDGET_CHARS,
  );

  const key = await deps.resolveKey(userId, input.provider);
  await deps.checkRateLimit?.(userId, key.source);

  const userCreatedAt = prior?.createdAt ?? new Date();
  const title = fallbackTitle(userText);
  // Not awaited: the upstream call starts now; the write is awaited before the assistant's.
  const userWrite = saveUserMessage(db, {
    userId,
    chatId,
    title,
    provider: input.provider,
    model: input.model,
    message: { id: input.message.id, text: userText },
    createdAt: userCreatedAt,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );

  const model = deps.createModel({
    provider: input.provider,
    apiKey: key.apiKey,
    baseUrl: key.baseUrl,
    modelId: input.model,
  });
  const assistantMessageId = generateId();
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
  ): Promise<TurnResult> => {
    finalized ??= (async () => {
      const writeError = await userWrite;
      let persisted = writeError === undefined;
      if (persisted) {
        try {
          await saveAssistantMessage(db, {
            id: assistantMessageId,
            userId,
            chatId,
            replyTo: { createdAt: userCreatedAt },
            content: text,
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
      } else {
        deps.log?.("chat.persist_failed", {
          chatId,
          error: writeError instanceof Error ? writeError.name : "unknown",
        });
      }
      const titleDone =
        persisted && status === "COMPLETE" && !chat && deps.autoTitle !== false
          ? retitle(deps, { userId, chatId, fallback: title, model, userText })
          : Promise.resolve(undefined);
      if (status === "COMPLETE" && key.source === "personal") {
        void deps
          .touchKeyUsed?.(userId, input.provider, { keyVersion: key.keyVersion })
          ?.catch(() => undefined);
      }
      const result = { assistantMessageId, status, text, errorCode, usage, title: titleDone };
      settle(result);
      return result;
    })();
    return finalized;
  };

  let opened: OpenedStream;
  try {
    opened = await openStream({
      model,
      messages,
      provider: input.provider,
      signal,
      mapError: deps.mapError,
      isRetryable: deps.isRetryable,
      policy: deps.retryPolicy,
      firstChunkTimeoutMs: deps.firstChunkTimeoutMs,
      idleTimeoutMs: deps.idleTimeoutMs,
      onRetry: (r) => deps.log?.("chat.retry", { provider: input.provider, ...r }),
    });
  } catch (e) {
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
  }

  return {
    assistantMessageId,
    stream: uiStream(opened, { assistantMessageId, meta, finalize, deps, provider: input.provider }),
    done,
  };
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

export function errorPayload(err: AppError): ChatErrorPayload {
  return {
    code: err.code,
    message: err.message,
    ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
  };
}

function uiStream(
  opened: OpenedStream,
  ctx: {
    assistantMessageId: string;
    meta: ChatMessageMetadata;
    finalize: (
      s: AssistantStatus,
      text: string,
      code?: string,
      usage?: TurnResult["usage"],
    ) => Promise<TurnResult>;
    deps: TurnDeps;
    provider: string;
  },
): ReadableStream<UIMessageChunk> {
  const textId = "text-0";
  let text = "";
  let closed = false;

  const fail = async (controller: ReadableStreamDefaultController<UIMessageChunk>, mapped: AppError) => {
    // "Could not be reached" reads wrong under half an answer: say it broke off.
    const err =
      mapped.code === "PROVIDER_UNAVAILABLE" && text && mapped.message === defaultMessage("PROVIDER_UNAVAILABLE")
        ? new AppError("PROVIDER_UNAVAILABLE", "The provider failed in the middle of the answer. Try again.")
        : mapped;
    await ctx.finalize("ERROR", text, err.code);
    controller.enqueue({ type: "text-end", id: textId });
    controller.enqueue({ type: "error", errorText: JSON.stringify(errorPayload(err)) });
    controller.close();
    closed = true;
    opened.abort();
  };

  return new ReadableStream<UIMessageChunk>({
    start(controller) {
      controller.enqueue({ type: "start", messageId: ctx.assistantMessageId, messageMetadata: ctx.meta });
      controller.enqueue({ type: "text-start", id: textId });
    },
    async pull(controller) {
      if (closed) return;
      for (;;) {
        let next: IteratorResult<StreamPart>;
        try {
          next = await opened.parts.next();
        } catch (e) {
          return fail(controller, ctx.deps.mapError(e, ctx.provider));
        }
        if (closed) return;
        if (next.done) {
          if (opened.endReason() === "client") return aborted(controller);
          return fail(
            controller,
            new AppError("PROVIDER_UNAVAILABLE", "The provider stopped before finishing. Try again."),
          );
        }
        const part = next.value;
        if (part.type === "text-delta") {
          if (!part.text) continue;
          text += part.text;
          controller.enqueue({ type: "text-delta", id: textId, delta: part.text });
          return;
        }
        if (part.type === "finish") {
          const usage = {
            inputTokens: part.totalUsage.inputTokens ?? 0,
            outputTokens: part.totalUsage.outputTokens ?? 0,
          };
          await ctx.finalize("COMPLETE", text, undefined, usage);
          controller.enqueue({ type: "text-end", id: textId });
          controller.enqueue({
            type: "finish",
            finishReason: part.finishReason,
            messageMetadata: { usage, status: "COMPLETE" },
          });
          controller.close();
          closed = true;
          return;
        }
        if (part.type === "error") {
          const err =
            opened.endReason() === "timeout"
              ? new AppError("PROVIDER_UNAVAILABLE", "The provider stopped answering. Try again.")
              : ctx.deps.mapError(part.error, ctx.provider);
          return fail(controller, err);
        }
        if (part.type === "abort") {
          if (opened.endReason() === "timeout") {
            return fail(
              controller,
              new AppError("PROVIDER_UNAVAILABLE", "The provider stopped answering. Try again."),
            );
          }
          return aborted(controller);
        }
      }
    },
    async cancel() {
      // The browser went away or pressed Stop: end the upstream request now, keep the partial.
      closed = true;
      opened.abort();
      await ctx.finalize("ABORTED", text);
    },
  });

  async function aborted(controller: ReadableStreamDefaultController<UIMessageChunk>) {
    closed = true;
    await ctx.finalize("ABORTED", text);
    try {
      controller.enqueue({ type: "text-end", id: textId });
      controller.enqueue({ type: "abort" });
      controller.close();
    } catch {
      // Already cancelled by the consumer.
    }
  }
}

async function retitle(
  deps: TurnDeps,
  a: { userId: string; chatId: string; fallback: string; model: LanguageModel; userText: string },
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
