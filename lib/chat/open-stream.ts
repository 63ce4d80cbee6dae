import { type LanguageModel, type ModelMessage, streamText, type TextStreamPart, type ToolSet } from "ai";
import { AppError } from "@/lib/errors";
import { DEFAULT_RETRY_POLICY, nextDelayMs, type RetryPolicy, sleep } from "./retry";

// Starts the upstream stream and reads it up to its first decisive part, so the caller can
// still answer with a real HTTP status. Everything after that point is the caller's.

export type StreamPart = TextStreamPart<ToolSet>;

export type OpenStreamOptions = {
  model: LanguageModel;
  messages: ModelMessage[];
  system?: string;
  provider: string;
  /** Aborted when the browser goes away or the user presses Stop. */
  signal: AbortSignal;
  mapError: (error: unknown, provider: string) => AppError;
  isRetryable: (error: unknown) => boolean;
  policy?: RetryPolicy;
  /** A provider that accepts the request but sends nothing is unavailable, not slow. */
  firstChunkTimeoutMs?: number;
  /** Longest silence tolerated between two parts once the answer has started. */
  idleTimeoutMs?: number;
  maxOutputTokens?: number;
  onRetry?: (info: { attempt: number; delayMs: number; code: string }) => void;
};

export type EndReason = "client" | "timeout";

export type OpenedStream = {
  /** The decisive first part followed by the rest of the upstream parts. */
  parts: AsyncGenerator<StreamPart>;
  /** Why the upstream request was aborted, if it was. */
  endReason(): EndReason | undefined;
  /** Ends the upstream request now (Stop, disconnect), without waiting for its next part. */
  abort(): void;
  attempts: number;
};

/** Thrown when the browser left before the answer started: nothing to report to anyone. */
export class ClientAbortError extends Error {
  constructor() {
    super("The client aborted the request.");
    this.name = "ClientAbortError";
  }
}

const DECISIVE = new Set<StreamPart["type"]>(["text-delta", "reasoning-delta", "finish", "tool-call"]);

export async function openStream(opts: OpenStreamOptions): Promise<OpenedStream> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const firstMs = opts.firstChunkTimeoutMs ?? 60_000;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  let waited = 0;

  for (let attempt = 0; ; attempt++) {
    if (opts.signal.aborted) throw new ClientAbortError();
    const ac = new AbortController();
    let reason: EndReason | undefined;
    const onOuterAbort = () => {
      reason ??= "client";
      ac.abort();
    };
    opts.signal.addEventListener("abort", onOuterAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        reason ??= "timeout";
        ac.abort();
      }, ms);
    };
    const release = () => {
      clearTimeout(timer);
      opts.signal.removeEventListener("abort", onOuterAbort);
    };

    arm(firstMs);
    const result = streamText({
      model: opts.model,
      messages: opts.messages,
      system: opts.system,
      maxRetries: 0,
      maxOutputTokens: opts.maxOutputTokens,
      abortSignal: ac.signal,
      // The SDK's default prints the raw error, whose text can echo key fragments. Errors reach
      // us as stream parts and are mapped by type and status; nothing to print here.
      onError: () => undefined,
    });
    const it = result.fullStream[Symbol.asyncIterator]();

    let failure: unknown;
    let first: StreamPart | undefined;
    try {
      for (;;) {
        const { done, value } = await it.next();
        if (done) break;
        if (value.type === "error") {
          failure = value.error;
          break;
        }
        if (value.type === "abort") break;
        if (DECISIVE.has(value.type)) {
          first = value;
          break;
        }
      }
    } catch (e) {
      failure = e;
    }

    if (first) {
      const decisive = first;
      async function* parts(): AsyncGenerator<StreamPart> {
        try {
          yield decisive;
          for (;;) {
            arm(idleMs);
            const { done, value } = await it.next();
            if (done) return;
            yield value;
          }
        } finally {
          release();
          // Leaving early (consumer cancelled) must still end the upstream request.
          if (!ac.signal.aborted) ac.abort();
        }
      }
      const abort = () => {
        reason ??= "client";
        ac.abort();
      };
      return { parts: parts(), endReason: () => reason, abort, attempts: attempt + 1 };
    }

    release();
    if (!ac.signal.aborted) ac.abort();
    if (reason === "client") throw new ClientAbortError();
    if (reason === "timeout") {
      throw new AppError("PROVIDER_UNAVAILABLE", "The provider did not start answering in time. Try again.");
    }
    const error =
      failure === undefined
        ? new AppError("PROVIDER_UNAVAILABLE", "The provider ended the answer before it started. Try again.")
        : opts.mapError(failure, opts.provider);
    const delay = nextDelayMs(
      attempt,
      error,
      failure !== undefined && opts.isRetryable(failure),
      waited,
      policy,
    );
    if (delay === undefined) throw error;
    opts.onRetry?.({ attempt, delayMs: delay, code: error.code });
    await sleep(delay, opts.signal);
    waited += delay;
  }
}
