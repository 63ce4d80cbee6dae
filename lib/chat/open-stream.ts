import type { LanguageModelV4, LanguageModelV4Prompt, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import type { ModelMessage } from "ai";
import { verdictFor } from "@/lib/ai/verdict";
import { AppError } from "@/lib/errors";
import { DEFAULT_RETRY_POLICY, nextDelayMs, type RetryPolicy, sleep } from "./retry";

// Starts the upstream stream and reads it up to its first decisive part, so the caller can
// still answer with a real HTTP status. Everything after that point is the caller's.
//
// It calls the provider's own `doStream` (the AI SDK's provider interface, the same code
// streamText runs underneath) and reads its parts with one reader. streamText would add its
// multi-step, tool and telemetry machinery — about six more web streams per token — for a
// single text call with no tools; measured per 64-token answer on this machine that was
// 7.4 ms of CPU against 3.0 ms (bench/README.md). Retries are ours either way (maxRetries 0).

export type StreamPart = LanguageModelV4StreamPart;

export type OpenStreamOptions = {
  model: LanguageModelV4;
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
  temperature?: number;
  onRetry?: (info: { attempt: number; delayMs: number; code: string }) => void;
  /**
   * True when another key would take this failure over (several keys per provider): the error
   * is thrown at once instead of retrying the same key.
   */
  failover?: (error: AppError) => boolean;
  /**
   * Called once, when the upstream's response headers have arrived (or the first attempt
   * failed): the moment the caller's own writes can run without delaying the request.
   */
  onUpstreamAnswered?: () => void;
};

export type EndReason = "client" | "timeout";

export type OpenedStream = {
  /**
   * The parts read so far, in order, ending with the decisive one (the first text or reasoning
   * delta, or the finish); the ones before it (stream-start, text-start, reasoning-start …) are
   * kept for the writer. The rest comes from `read`.
   */
  head: StreamPart[];
  /** The next upstream part; `done` once the upstream stream ended. Rejects on a broken stream. */
  read(): Promise<ReadableStreamReadResult<StreamPart>>;
  /** Why the upstream request was aborted, if it was. */
  endReason(): EndReason | undefined;
  /** Ends the upstream request now (Stop, disconnect), without waiting for its next part. */
  abort(): void;
  /**
   * The consumer is done (the answer finished): stops the watchdog, detaches from the request's
   * signal and releases the upstream stream. Without it both would hold the whole pipeline
   * until the idle timeout fired.
   */
  close(): void;
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

/** Our stored turns are plain text: the provider interface's prompt, without a conversion pass. */
export function toPrompt(messages: ModelMessage[], system?: string): LanguageModelV4Prompt {
  const prompt: LanguageModelV4Prompt = system ? [{ role: "system", content: system }] : [];
  for (const m of messages) {
    const text = typeof m.content === "string" ? m.content : "";
    if (m.role === "system") prompt.push({ role: "system", content: text });
    else if (m.role === "user") prompt.push({ role: "user", content: [{ type: "text", text }] });
    else if (m.role === "assistant") prompt.push({ role: "assistant", content: [{ type: "text", text }] });
  }
  return prompt;
}

/**
 * One timer per stream that fires when nothing arrived for `ms`. Re-armed lazily: a part only
 * stamps the time, so a 64-token answer costs one or two timers instead of 64.
 */
function watchdog(onSilence: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  let limit = 0;
  const check = () => {
    const quiet = performance.now() - last;
    if (quiet >= limit) {
      timer = undefined;
      onSilence();
    } else {
      timer = setTimeout(check, limit - quiet);
    }
  };
  return {
    arm(ms: number) {
      last = performance.now();
      if (ms !== limit && timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      limit = ms;
      timer ??= setTimeout(check, ms);
    },
    stamp() {
      last = performance.now();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export async function openStream(opts: OpenStreamOptions): Promise<OpenedStream> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const firstMs = opts.firstChunkTimeoutMs ?? 60_000;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  const prompt = toPrompt(opts.messages, opts.system);
  let answered = false;
  const upstreamAnswered = () => {
    if (answered) return;
    answered = true;
    opts.onUpstreamAnswered?.();
  };
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
    const dog = watchdog(() => {
      reason ??= "timeout";
      ac.abort();
    });
    const release = () => {
      dog.stop();
      opts.signal.removeEventListener("abort", onOuterAbort);
    };

    dog.arm(firstMs);
    let failure: unknown;
    const head: StreamPart[] = [];
    let decided = false;
    let reader: ReadableStreamDefaultReader<StreamPart> | undefined;
    try {
      const { stream } = await opts.model.doStream({
        prompt,
        maxOutputTokens: opts.maxOutputTokens,
        temperature: opts.temperature,
        abortSignal: ac.signal,
      });
      upstreamAnswered();
      reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.type === "error") {
          failure = value.error;
          break;
        }
        head.push(value);
        if (DECISIVE.has(value.type)) {
          decided = true;
          break;
        }
      }
    } catch (e) {
      failure = e;
    }
    upstreamAnswered();

    if (decided && reader) {
      const r = reader;
      dog.arm(idleMs);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        release();
        // Leaving early (consumer cancelled, error part) must still end the upstream request.
        if (!ac.signal.aborted) ac.abort();
      };
      const read = async (): Promise<ReadableStreamReadResult<StreamPart>> => {
        try {
          const res = await r.read();
          if (res.done) end();
          else dog.stamp();
          return res;
        } catch (e) {
          end();
          throw e;
        }
      };
      const abort = () => {
        reason ??= "client";
        end();
        r.cancel().catch(() => undefined);
      };
      const close = () => {
        end();
        r.cancel().catch(() => undefined);
      };
      return { head, read, endReason: () => reason, abort, close, attempts: attempt + 1 };
    }

    release();
    if (!ac.signal.aborted) ac.abort();
    reader?.cancel().catch(() => undefined);
    if (reason === "client") throw new ClientAbortError();
    if (reason === "timeout") {
      // The key Test says the same for the same cause (lib/ai/verdict.ts).
      const v = verdictFor({ kind: "timeout" });
      throw new AppError(v.code, v.message);
    }
    const error =
      failure === undefined
        ? new AppError("PROVIDER_UNAVAILABLE", "The provider ended the answer before it started. Try again.")
        : opts.mapError(failure, opts.provider);
    if (failure !== undefined && opts.failover?.(error)) throw error;
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
