import type { UIMessageChunk } from "ai";
import { AppError, defaultMessage } from "@/lib/errors";
import type { OpenedStream, StreamPart } from "./open-stream";
import type { AssistantStatus, ChatErrorPayload, ChatMessageMetadata } from "./types";

// The turn's upstream parts → UI message stream chunks for useChat (start, text, finish with
// usage, or our own error part), ending the turn exactly once whichever way it ends.

type Usage = { inputTokens: number; outputTokens: number };
type Finalize = (status: AssistantStatus, text: string, code?: string, usage?: Usage) => Promise<unknown>;

export function errorPayload(err: AppError): ChatErrorPayload {
  return {
    code: err.code,
    message: err.message,
    ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
  };
}

export function uiStream(
  opened: OpenedStream,
  ctx: {
    assistantMessageId: string;
    meta: ChatMessageMetadata;
    finalize: Finalize;
    mapError: (error: unknown, provider: string) => AppError;
    provider: string;
  },
): ReadableStream<UIMessageChunk> {
  const textId = "text-0";
  let text = "";
  let closed = false;

  const fail = async (controller: ReadableStreamDefaultController<UIMessageChunk>, mapped: AppError) => {
    // "Could not be reached" reads wrong under half an answer: say it broke off.
    const err =
      mapped.code === "PROVIDER_UNAVAILABLE" &&
      text &&
      mapped.message === defaultMessage("PROVIDER_UNAVAILABLE")
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
          return fail(controller, ctx.mapError(e, ctx.provider));
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
              : ctx.mapError(part.error, ctx.provider);
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
