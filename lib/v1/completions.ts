import { generateId } from "ai";
import { checkTokenScope, type TokenCaller } from "@/lib/api-tokens/tokens";
import { ClientAbortError, type OpenedStream, openStream, type StreamPart } from "@/lib/chat/open-stream";
import { AppError } from "@/lib/errors";
import { endpointNamed } from "@/lib/keys/endpoints";
import { walkKeys } from "@/lib/keys/failover";
import { checkSpendingOnKeys, settleTurnSpending } from "@/lib/keys/limits";
import { FAILOVER_CODES } from "@/lib/keys/order";
import type { KeySource } from "@/lib/keys/policy";
import type { ResolvedKey } from "@/lib/keys/resolve";
import type { RequestContext } from "@/lib/keys/schemas";
import { type V1Deps, v1Deps } from "./deps";
import { openAiErrorBody } from "./http";
import { recordV1Turn, type V1Outcome } from "./record";
import { type CompletionRequest, parseModelId, toModelMessages, unknownModel } from "./schemas";

// POST /v1/chat/completions: one upstream call on the user's stored key, answered in OpenAI's
// chat.completion (JSON) or chat.completion.chunk (SSE, ending with `data: [DONE]`) shape.
// The order is the chat's (lib/chat/turn.ts): scope → rate limits → key (the personal key vs
// system key rule, the operator's budgets) → model for this request → stream; errors before
// the first token are real statuses, later ones an error event in the stream.

export type CompletionHandle = { response: Response; done: Promise<void> };

type Usage = { inputTokens: number; outputTokens: number };

const FINISH: Record<string, string> = {
  stop: "stop",
  length: "length",
  "content-filter": "content_filter",
  "tool-calls": "tool_calls",
};

const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform keeps Next's gzip from buffering the stream.
  "Cache-Control": "no-store, no-transform",
  "X-Accel-Buffering": "no",
};

/** The system key is the operator's: its failures are not the user's to fix (as in the chat). */
function forKeySource(err: AppError, source: KeySource): AppError {
  if (source !== "system" || (err.code !== "INVALID_API_KEY" && err.code !== "QUOTA_EXCEEDED")) return err;
  return new AppError(
    err.code,
    "The shared key for this provider is not working right now. Add your own API key in AI settings.",
  );
}

const usageJson = (u: Usage) => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
});

export async function startCompletion(
  caller: TokenCaller,
  body: CompletionRequest,
  signal: AbortSignal,
  ctx?: RequestContext,
  deps: V1Deps = v1Deps(),
): Promise<CompletionHandle> {
  // A read-only token is refused whatever model it names (before a 404 for an unknown one).
  if (caller.readOnly) checkTokenScope(caller, "", "");
  const { provider, model, endpoint } = parseModelId(body.model);
  checkTokenScope(caller, provider, model);
  const messages = toModelMessages(body.messages);
  await deps.checkTokenRateLimit(caller.tokenId);
  // Read once: the first usable key, and the ones a refusal passes the request to (as in the chat).
  const allRows = deps.loadKeys ? await deps.loadKeys(caller.userId, provider) : undefined;
  // A named OpenAI-compatible endpoint: its keys only (failover stays on that server).
  let rows = allRows;
  if (endpoint !== undefined) {
    const named = allRows ? endpointNamed(allRows, endpoint) : null;
    if (!named) throw unknownModel();
    rows = named.rows;
  }
  let key: ResolvedKey = await deps.resolveKey(caller.userId, provider, rows ? { rows } : undefined);
  await deps.checkUserRateLimit(caller.userId, key.source);
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  // Several keys: the next one not tried yet, and the record of each hand-over.
  const walk = walkKeys({
    db: deps.db,
    userId: caller.userId,
    provider,
    rows,
    first: key,
    nextKey: deps.nextKey,
    logPrefix: "v1",
    ...(deps.log ? { log: deps.log } : {}),
  });
  // A key passed over for one of its own limits: recorded like a failover, before any call on it.
  const skipped = (from: ResolvedKey, to: ResolvedKey, e: AppError) =>
    walk.handOver(from, to, e.code, "key_limit");
  // The user's own spending limits hold for scripts as for the chat: checked before the call
  // (an estimate), released when the request ends (its usage event holds the real cost). A key
  // at its own limit hands the request to the next key, with no call on it.
  const spendingInput = {
    userId: caller.userId,
    provider,
    model,
    promptChars: messages.reduce((n, m) => n + JSON.stringify(m.content).length, 0),
    ...(maxOutputTokens ? { maxOutputTokens } : {}),
  };
  const checked = await checkSpendingOnKeys(deps.db, spendingInput, key, walk.next, skipped);
  let spending = checked.spending;
  key = checked.key;
  const createModel = (k: ResolvedKey) =>
    deps.createModel({ provider, apiKey: k.apiKey, baseUrl: k.baseUrl, modelId: model });
  let languageModel = createModel(key);

  const stream = body.stream === true;
  const record = (o: Omit<V1Outcome, "provider" | "model" | "keySource" | "stream">) => {
    settleTurnSpending(spending);
    return recordV1Turn(
      deps.db,
      caller,
      { provider, model, keySource: key.source, keyId: key.keyId, stream, ...o },
      ctx,
    ).catch((e) => deps.log?.("v1.record_failed", { error: e instanceof Error ? e.name : typeof e }));
  };

  // Several keys: a key refused before the first token (invalid, quota, rate limit) passes the
  // request to the next one of the user's keys, never to the system key.
  const anotherKey = () => walk.hasAnother(key);
  let opened: OpenedStream;
  for (;;) {
    try {
      opened = await openStream({
        model: languageModel,
        messages,
        provider,
        signal,
        mapError: deps.mapError,
        isRetryable: deps.isRetryable,
        policy: deps.retryPolicy,
        maxOutputTokens,
        failover: (err) => FAILOVER_CODES.has(err.code) && anotherKey(),
        onRetry: (r) => deps.log?.("v1.retry", { provider, ...r }),
      });
      break;
    } catch (e) {
      if (e instanceof ClientAbortError) {
        await record({ status: "aborted" });
        throw new AppError("PROVIDER_UNAVAILABLE", "The request was cancelled.", { status: 499 });
      }
      const raw = e instanceof AppError ? e : deps.mapError(e, provider);
      let next = FAILOVER_CODES.has(raw.code) && anotherKey() ? await walk.next() : null;
      if (raw.code === "INVALID_API_KEY" && key.source === "personal") {
        await deps
          .markKeyInvalid(caller.userId, provider, { keyVersion: key.keyVersion, keyId: key.keyId })
          .catch(() => undefined);
      }
      if (next) {
        const from = key;
        await walk.handOver(from, next, raw.code);
        // The next key's own limits hold as the first key's did (skipping any at its limit).
        try {
          const moved = await checkSpendingOnKeys(deps.db, spendingInput, next, walk.next, skipped, spending);
          spending = moved.spending;
          next = moved.key;
        } catch (limitError) {
          const code = limitError instanceof AppError ? limitError.code : "PROVIDER_UNAVAILABLE";
          await record({ status: "error", errorCode: code });
          throw limitError;
        }
        key = next;
        languageModel = createModel(next);
        continue;
      }
      const err = forKeySource(raw, key.source);
      await record({ status: "error", errorCode: err.code });
      throw err;
    }
  }

  const id = `chatcmpl-${generateId()}`;
  const created = Math.floor(Date.now() / 1000);
  const modelName = endpoint !== undefined ? body.model : `${provider}/${model}`;
  const finished = async (usage: Usage) => {
    await record({ status: "complete", usage });
    if (key.source === "personal") {
      void deps
        .touchKeyUsed(caller.userId, provider, { keyVersion: key.keyVersion, keyId: key.keyId })
        .catch(() => undefined);
    }
  };
  const failedMidway = (e: unknown) =>
    forKeySource(
      opened.endReason() === "timeout"
        ? new AppError("PROVIDER_UNAVAILABLE", "The provider stopped answering. Try again.")
        : e instanceof AppError
          ? e
          : deps.mapError(e, provider),
      key.source,
    );

  if (!stream) {
    let text = "";
    for await (const part of parts(opened)) {
      if (part.type === "text-delta") text += part.delta;
      else if (part.type === "error") {
        opened.close();
        const err = failedMidway(part.error);
        await record({ status: "error", errorCode: err.code });
        throw err;
      } else if (part.type === "finish") {
        opened.close();
        const usage = {
          inputTokens: part.usage.inputTokens.total ?? 0,
          outputTokens: part.usage.outputTokens.total ?? 0,
        };
        await finished(usage);
        const response = Response.json({
          id,
          object: "chat.completion",
          created,
          model: modelName,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: text, refusal: null },
              finish_reason: FINISH[part.finishReason.unified] ?? "stop",
              logprobs: null,
            },
          ],
          usage: usageJson(usage),
        });
        return { response, done: Promise.resolve() };
      }
    }
    const err = failedMidway(
      new AppError("PROVIDER_UNAVAILABLE", "The provider ended the answer early. Try again."),
    );
    await record({ status: "error", errorCode: err.code });
    throw err;
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const encoder = new TextEncoder();
  const data = (v: unknown) => encoder.encode(`data: ${JSON.stringify(v)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra = {}) =>
    data({
      id,
      object: "chat.completion.chunk",
      created,
      model: modelName,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
      ...extra,
    });
  let settle: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    settle = r;
  });
  let ended = false;
  const iterator = parts(opened)[Symbol.asyncIterator]();
  const end = async (
    controller: ReadableStreamDefaultController<Uint8Array>,
    outcome: () => Promise<unknown>,
  ) => {
    ended = true;
    opened.close();
    await outcome();
    try {
      controller.close();
    } catch {
      // cancelled by the client meanwhile
    }
    settle();
  };

  const body$ = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(chunk({ role: "assistant", content: "" }));
    },
    async pull(controller) {
      while (!ended) {
        let next: IteratorResult<StreamPart>;
        try {
          next = await iterator.next();
        } catch (e) {
          if (opened.endReason() === "client") return end(controller, () => record({ status: "aborted" }));
          const err = failedMidway(e);
          controller.enqueue(data(openAiErrorBody(err)));
          return end(controller, () => record({ status: "error", errorCode: err.code }));
        }
        if (next.done) {
          const err = failedMidway(
            new AppError("PROVIDER_UNAVAILABLE", "The provider ended the answer early. Try again."),
          );
          controller.enqueue(data(openAiErrorBody(err)));
          return end(controller, () => record({ status: "error", errorCode: err.code }));
        }
        const part = next.value;
        if (part.type === "text-delta" && part.delta) {
          controller.enqueue(chunk({ content: part.delta }));
          return;
        }
        if (part.type === "error") {
          const err = failedMidway(part.error);
          controller.enqueue(data(openAiErrorBody(err)));
          return end(controller, () => record({ status: "error", errorCode: err.code }));
        }
        if (part.type === "finish") {
          const usage = {
            inputTokens: part.usage.inputTokens.total ?? 0,
            outputTokens: part.usage.outputTokens.total ?? 0,
          };
          // Usage rides on the last choice chunk for every client, and in OpenAI's own extra
          // chunk (no choices) for clients that asked with stream_options.include_usage.
          controller.enqueue(
            chunk({}, FINISH[part.finishReason.unified] ?? "stop", { usage: usageJson(usage) }),
          );
          if (includeUsage) {
            controller.enqueue(
              data({
                id,
                object: "chat.completion.chunk",
                created,
                model: modelName,
                choices: [],
                usage: usageJson(usage),
              }),
            );
          }
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          return end(controller, () => finished(usage));
        }
      }
    },
    async cancel() {
      if (ended) return;
      ended = true;
      opened.abort();
      await record({ status: "aborted" });
      settle();
    },
  });
  return { response: new Response(body$, { headers: SSE_HEADERS }), done };
}

/** The opened stream's parts in order: the head it read to decide, then the rest. */
async function* parts(opened: OpenedStream): AsyncGenerator<StreamPart> {
  yield* opened.head;
  for (;;) {
    const r = await opened.read();
    if (r.done) return;
    yield r.value;
  }
}
