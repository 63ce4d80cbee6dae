import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from "ai";
import { AppError, defaultMessage, ERROR_CODES } from "@/lib/errors";
import type { OpenedStream, StreamPart } from "./open-stream";
import type { AssistantStatus, ChatErrorPayload, ChatMessageMetadata } from "./types";

// The turn's upstream parts → the AI SDK's UI message stream protocol (what `useChat` reads):
// Server-Sent Events, one `data: <UIMessageChunk JSON>` event per chunk. Written as bytes here,
// one enqueue per upstream part, instead of chunk objects piped through the SDK's JSON→SSE and
// TextEncoder transform streams: two web-stream hops less for every token.
//
// It maps the provider's parts one to one, as the SDK's `streamText` → `toUIMessageStream` does
// (ui-stream.differential.test.ts runs both on the same turns and compares them): start,
// start-step, the provider's own text and reasoning blocks with their ids, finish-step, finish.
// Deliberate differences: no providerMetadata (OpenAI's encrypted reasoning, item ids: the
// browser has no use for them), our own error text ({ code, message } JSON, never the
// provider's), our metadata on start and finish, and a stream that breaks or goes silent ends
// with an error chunk instead of a broken response. The turn is finalized exactly once
// whichever way it ends (finish, error, abort, cancel).

type Usage = { inputTokens: number; outputTokens: number; reasoningTokens?: number };
type Finalize = (
  status: AssistantStatus,
  text: string,
  code?: string,
  usage?: Usage,
  reasoning?: string,
) => Promise<unknown>;

/** Headers of a UI message stream response: the SDK's own, plus no-transform, which keeps Next's
 * gzip off the stream: per-token flushes compress nothing and a deflate context costs ~300 KB
 * per open stream. (apiRoute turns the SDK's no-cache into no-store and keeps no-transform.) */
export const UI_STREAM_HEADERS: Record<string, string> = {
  ...UI_MESSAGE_STREAM_HEADERS,
  "cache-control": `${UI_MESSAGE_STREAM_HEADERS["cache-control"]}, no-transform`,
};

export function errorPayload(err: AppError): ChatErrorPayload {
  return {
    code: err.code,
    message: err.message,
    ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
  };
}

const encoder = new TextEncoder();
const event = (chunk: UIMessageChunk) => `data: ${JSON.stringify(chunk)}\n\n`;

export function uiStream(
  opened: OpenedStream,
  ctx: {
    assistantMessageId: string;
    meta: ChatMessageMetadata;
    finalize: Finalize;
    mapError: (error: unknown, provider: string) => AppError;
    provider: string;
  },
): ReadableStream<Uint8Array> {
  // The one chunk type sent per token, built without a JSON.stringify of the whole object
  // (the block id only changes between blocks).
  let deltaId: string | undefined;
  let deltaHead = "";
  const textDelta = (id: string, s: string) => {
    if (id !== deltaId) {
      deltaId = id;
      deltaHead = `data: {"type":"text-delta","id":${JSON.stringify(id)},"delta":`;
    }
    return `${deltaHead}${JSON.stringify(s)}}\n\n`;
  };
  let text = "";
  let reasoning = "";
  let closed = false;
  /** Set once an upstream error part was reported: the turn is stored as ERROR. */
  let failed: AppError | undefined;

  type Ctl = ReadableStreamDefaultController<Uint8Array>;
  const send = (controller: Ctl, s: string) => controller.enqueue(encoder.encode(s));

  const toReport = (mapped: AppError) =>
    // "Could not be reached" reads wrong under half an answer: say it broke off. So does "answered
    // in a way this app does not understand (HTTP 200)": the 200 is this stream's own response,
    // which was fine until the connection was cut (lib/ai/verdict.ts reads the status it carries).
    mapped.code === "PROVIDER_UNAVAILABLE" &&
    text &&
    (mapped.message === defaultMessage("PROVIDER_UNAVAILABLE") || mapped.message.includes("(HTTP 200)"))
      ? new AppError("PROVIDER_UNAVAILABLE", "The provider failed in the middle of the answer. Try again.")
      : mapped;
  const errorChunk = (err: AppError) =>
    event({ type: "error", errorText: JSON.stringify(errorPayload(err)) });

  /** The stream broke or went silent (no provider error part): report it and end here. */
  const fail = async (controller: Ctl, mapped: AppError) => {
    const err = toReport(mapped);
    closed = true;
    opened.abort();
    await ctx.finalize("ERROR", text, err.code, undefined, reasoning);
    send(controller, errorChunk(err));
    controller.close();
  };

  const stopped = () => new AppError("PROVIDER_UNAVAILABLE", "The provider stopped answering. Try again.");

  const aborted = async (controller: Ctl) => {
    closed = true;
    await ctx.finalize("ABORTED", text, undefined, undefined, reasoning);
    try {
      send(controller, event({ type: "abort" }));
      controller.close();
    } catch {
      // Already cancelled by the consumer.
    }
  };

  /** Handles one part after `prefix`; true when it wrote something (or ended the stream). */
  const handle = async (controller: Ctl, part: StreamPart, prefix: string): Promise<boolean> => {
    let out: string;
    switch (part.type) {
      case "text-delta":
        // streamText drops an empty text delta unless it carries provider metadata.
        if (!part.delta && part.providerMetadata === undefined) {
          if (prefix) send(controller, prefix);
          return prefix.length > 0;
        }
        if (!failed) text += part.delta;
        out = textDelta(part.id, part.delta);
        break;
      case "reasoning-delta":
        if (!failed) reasoning += part.delta;
        out = event({ type: "reasoning-delta", id: part.id, delta: part.delta });
        break;
      case "text-start":
      case "text-end":
      case "reasoning-start":
      case "reasoning-end":
        out = event({ type: part.type, id: part.id });
        break;
      case "finish": {
        closed = true;
        opened.close();
        const finishReason = part.finishReason.unified;
        let messageMetadata: ChatMessageMetadata;
        if (failed) {
          messageMetadata = { status: "ERROR", errorCode: failed.code };
        } else {
          const reasoningTokens = part.usage.outputTokens.reasoning;
          const usage: Usage = {
            // The output total includes reasoning tokens: each provider bills them as output.
            inputTokens: part.usage.inputTokens.total ?? 0,
            outputTokens: part.usage.outputTokens.total ?? 0,
            ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
          };
          await ctx.finalize("COMPLETE", text, undefined, usage, reasoning);
          messageMetadata = { usage, status: "COMPLETE" };
        }
        send(
          controller,
          prefix + event({ type: "finish-step" }) + event({ type: "finish", finishReason, messageMetadata }),
        );
        controller.close();
        return true;
      }
      case "error": {
        const err = toReport(
          opened.endReason() === "timeout" ? stopped() : ctx.mapError(part.error, ctx.provider),
        );
        if (!failed) {
          failed = err;
          // Stored before the browser hears of it (it stops reading at an error chunk).
          await ctx.finalize("ERROR", text, err.code, undefined, reasoning);
        }
        // Like streamText, the provider's own ending (its open blocks, its finish) still follows.
        out = errorChunk(err);
        break;
      }
      default:
        // stream-start, response-metadata, raw; sources, files and tool parts are never asked for.
        if (prefix) send(controller, prefix);
        return prefix.length > 0;
    }
    send(controller, prefix + out);
    return true;
  };

  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        // The opening chunks and the first token leave in one write.
        let prefix =
          event({ type: "start", messageId: ctx.assistantMessageId, messageMetadata: ctx.meta }) +
          event({ type: "start-step" });
        for (const part of opened.head) {
          if (await handle(controller, part, prefix)) prefix = "";
          if (closed) return;
        }
        if (prefix) send(controller, prefix);
      },
      async pull(controller) {
        while (!closed) {
          let next: ReadableStreamReadResult<StreamPart>;
          try {
            next = await opened.read();
          } catch (e) {
            if (closed) return;
            const why = opened.endReason();
            if (why === "client") return aborted(controller);
            if (failed) {
              closed = true;
              return controller.close();
            }
            return fail(controller, why === "timeout" ? stopped() : ctx.mapError(e, ctx.provider));
          }
          if (closed) return;
          if (next.done) {
            const why = opened.endReason();
            if (why === "client") return aborted(controller);
            if (failed) {
              closed = true;
              return controller.close();
            }
            return fail(
              controller,
              why === "timeout"
                ? stopped()
                : new AppError("PROVIDER_UNAVAILABLE", "The provider stopped before finishing. Try again."),
            );
          }
          if (await handle(controller, next.value, "")) return;
        }
      },
      async cancel() {
        // The browser went away or pressed Stop: end the upstream request now, keep the partial.
        closed = true;
        opened.abort();
        await ctx.finalize("ABORTED", text, undefined, undefined, reasoning);
      },
    },
    // Nothing is read ahead of the consumer: a part is pulled when the socket wants one.
    { highWaterMark: 0 },
  );
}

/**
 * A stored answer as the stream its first request sent (a duplicate request with the same answer
 * id replays it instead of calling the provider): start, its reasoning and text in one delta
 * each, then finish with the stored status and usage, or the error chunk for an ERROR row.
 */
export function replayStream(a: {
  id: string;
  text: string;
  reasoning?: string;
  status: AssistantStatus;
  errorCode?: string;
  usage?: Usage;
  meta: ChatMessageMetadata;
}): ReadableStream<Uint8Array> {
  let out =
    event({ type: "start", messageId: a.id, messageMetadata: a.meta }) + event({ type: "start-step" });
  if (a.reasoning) {
    out +=
      event({ type: "reasoning-start", id: "r0" }) +
      event({ type: "reasoning-delta", id: "r0", delta: a.reasoning }) +
      event({ type: "reasoning-end", id: "r0" });
  }
  if (a.text) {
    out +=
      event({ type: "text-start", id: "t0" }) +
      event({ type: "text-delta", id: "t0", delta: a.text }) +
      event({ type: "text-end", id: "t0" });
  }
  if (a.status === "ERROR") {
    const code = (a.errorCode ?? "PROVIDER_UNAVAILABLE") as AppError["code"];
    const err =
      code === "PROVIDER_UNAVAILABLE" && a.text
        ? new AppError(code, "The provider failed in the middle of the answer. Try again.")
        : new AppError(code in ERROR_CODES ? code : "PROVIDER_UNAVAILABLE");
    out += event({ type: "error", errorText: JSON.stringify(errorPayload(err)) });
  } else {
    const messageMetadata: ChatMessageMetadata = { status: a.status, ...(a.usage ? { usage: a.usage } : {}) };
    out +=
      event({ type: "finish-step" }) +
      event({ type: "finish", finishReason: a.status === "COMPLETE" ? "stop" : "other", messageMetadata });
  }
  const bytes = encoder.encode(out);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The transient part that tells the browser the provider is busy and the turn is retrying. */
export const RETRY_NOTICE_TYPE = "data-retry";

/**
 * A turn whose first attempt failed with something worth retrying (a rate limit, a 5xx): the
 * response starts now with a transient `data-retry` part (useChat hands it to onData and keeps
 * it out of the message), then carries on as the turn's stream once the provider answers, or
 * ends with the error chunk if it never does. The turn's rows are stored as with any other end.
 */
export function retryingStream(next: Promise<ReadableStream<Uint8Array>>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let cancelled = false;
  // Settled early so a refusal that lands while nobody reads yet is never unhandled.
  const settled = next.then(
    (stream) => ({ stream }),
    (error: unknown) => ({ error }),
  );
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(
          encoder.encode(event({ type: RETRY_NOTICE_TYPE, data: { retrying: true }, transient: true })),
        );
      },
      async pull(controller) {
        if (!reader) {
          const r = await settled;
          if ("error" in r) {
            const err = r.error instanceof AppError ? r.error : new AppError("INTERNAL");
            controller.enqueue(
              encoder.encode(event({ type: "error", errorText: JSON.stringify(errorPayload(err)) })),
            );
            controller.close();
            return;
          }
          // The browser left while the provider was retried: end the answer the usual way.
          if (cancelled) return void r.stream.cancel().catch(() => undefined);
          reader = r.stream.getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        cancelled = true;
        await reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
