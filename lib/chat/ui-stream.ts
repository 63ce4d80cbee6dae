import type { UIMessageChunk } from "ai";
import { AppError, defaultMessage } from "@/lib/errors";
import type { OpenedStream, StreamPart } from "./open-stream";
import type { AssistantStatus, ChatErrorPayload, ChatMessageMetadata } from "./types";

// The turn's upstream parts → the AI SDK's UI message stream protocol (what `useChat` reads):
// Server-Sent Events, one `data: <UIMessageChunk JSON>` event per chunk. Written as bytes here,
// one enqueue per upstream part, instead of chunk objects piped through the SDK's JSON→SSE and
// TextEncoder transform streams: two web-stream hops less for every token. The tests read this
// stream back with the SDK's own parser and chunk schema, so the wire format cannot drift.
// The turn ends exactly once whichever way it ends (finish, error, abort, cancel).

type Usage = { inputTokens: number; outputTokens: number };
type Finalize = (status: AssistantStatus, text: string, code?: string, usage?: Usage) => Promise<unknown>;

/** Headers of a UI message stream response. no-transform keeps Next's gzip off the stream:
 * per-token flushes compress nothing and a deflate context costs ~300 KB per open stream. */
export const UI_STREAM_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream",
  "cache-control": "no-store, no-transform",
  "x-vercel-ai-ui-message-stream": "v1",
  "x-accel-buffering": "no",
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
  const textId = "text-0";
  // The one chunk type sent per token, built without a JSON.stringify of the whole object.
  const deltaHead = `data: {"type":"text-delta","id":${JSON.stringify(textId)},"delta":`;
  const delta = (s: string) => `${deltaHead}${JSON.stringify(s)}}\n\n`;
  let text = "";
  let closed = false;

  type Ctl = ReadableStreamDefaultController<Uint8Array>;
  const send = (controller: Ctl, s: string) => controller.enqueue(encoder.encode(s));

  const fail = async (controller: Ctl, mapped: AppError) => {
    // "Could not be reached" reads wrong under half an answer: say it broke off.
    const err =
      mapped.code === "PROVIDER_UNAVAILABLE" &&
      text &&
      mapped.message === defaultMessage("PROVIDER_UNAVAILABLE")
        ? new AppError("PROVIDER_UNAVAILABLE", "The provider failed in the middle of the answer. Try again.")
        : mapped;
    closed = true;
    opened.abort();
    await ctx.finalize("ERROR", text, err.code);
    send(
      controller,
      event({ type: "text-end", id: textId }) +
        event({ type: "error", errorText: JSON.stringify(errorPayload(err)) }),
    );
    controller.close();
  };

  const stopped = () => new AppError("PROVIDER_UNAVAILABLE", "The provider stopped answering. Try again.");

  const aborted = async (controller: Ctl) => {
    closed = true;
    await ctx.finalize("ABORTED", text);
    try {
      send(controller, event({ type: "text-end", id: textId }) + event({ type: "abort" }));
      controller.close();
    } catch {
      // Already cancelled by the consumer.
    }
  };

  /** Handles one part; true when it wrote something (or ended the stream). */
  const handle = async (controller: Ctl, part: StreamPart, prefix: string): Promise<boolean> => {
    switch (part.type) {
      case "text-delta": {
        if (!part.delta) {
          if (prefix) send(controller, prefix);
          return prefix.length > 0;
        }
        text += part.delta;
        send(controller, prefix + delta(part.delta));
        return true;
      }
      case "finish": {
        const usage = {
          inputTokens: part.usage.inputTokens.total ?? 0,
          outputTokens: part.usage.outputTokens.total ?? 0,
        };
        closed = true;
        opened.close();
        await ctx.finalize("COMPLETE", text, undefined, usage);
        send(
          controller,
          prefix +
            event({ type: "text-end", id: textId }) +
            event({
              type: "finish",
              finishReason: part.finishReason.unified,
              messageMetadata: { usage, status: "COMPLETE" },
            }),
        );
        controller.close();
        return true;
      }
      case "error": {
        if (prefix) send(controller, prefix);
        await fail(
          controller,
          opened.endReason() === "timeout" ? stopped() : ctx.mapError(part.error, ctx.provider),
        );
        return true;
      }
      default:
        if (prefix) send(controller, prefix);
        return prefix.length > 0;
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        // The opening chunks and the first token leave in one write.
        const head =
          event({ type: "start", messageId: ctx.assistantMessageId, messageMetadata: ctx.meta }) +
          event({ type: "text-start", id: textId });
        await handle(controller, opened.first, head);
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
            return fail(controller, why === "timeout" ? stopped() : ctx.mapError(e, ctx.provider));
          }
          if (closed) return;
          if (next.done) {
            const why = opened.endReason();
            if (why === "client") return aborted(controller);
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
        await ctx.finalize("ABORTED", text);
      },
    },
    // Nothing is read ahead of the consumer: a part is pulled when the socket wants one.
    { highWaterMark: 0 },
  );
}
