import { AISDKError, APICallError, LoadAPIKeyError, RetryError, StreamProviderError } from "ai";
import { AppError, isAppError } from "@/lib/errors";
import { classifyHttp, type Failure } from "./classify";
import { verdictFor } from "./verdict";

// AI SDK error → AppError, by error TYPE and STATUS. The AppError carries our own message
// only: provider text (and the request body the SDK attaches) never leaves this module.

export type { Failure, FailureKind } from "./classify";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null;

/** A signal abort that nobody asked to time out: the user pressed Stop or left. */
export function isAbortError(err: unknown): boolean {
  return isObj(err) && (err.name === "AbortError" || err.name === "ResponseAborted");
}

function isTimeoutError(err: unknown): boolean {
  return isObj(err) && err.name === "TimeoutError";
}

/** Socket-level failures (refused, reset, DNS, cut mid-body) carry a system or undici `code`. */
function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; isObj(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return true;
  }
  return false;
}

/** Normalises anything the AI SDK (or fetch) may throw or stream into a Failure. */
export function classifyError(err: unknown): Failure {
  if (RetryError.isInstance(err)) return classifyError(err.lastError);
  if (isAbortError(err)) return { kind: "aborted" };
  if (isTimeoutError(err)) return { kind: "timeout" };
  if (LoadAPIKeyError.isInstance(err)) return { kind: "key_missing" };
  if (APICallError.isInstance(err)) {
    if (err.statusCode === undefined) {
      const cause = err.cause;
      if (isAbortError(cause)) return { kind: "aborted" };
      return { kind: isTimeoutError(cause) ? "timeout" : "unavailable" };
    }
    return classifyHttp(err.statusCode, err.responseHeaders, err.responseBody ?? err.data);
  }
  if (StreamProviderError.isInstance(err)) {
    const body = { error: { code: err.code, type: err.type, ...(isObj(err.data) ? pickRpc(err.data) : {}) } };
    return classifyHttp(err.statusCode ?? 500, undefined, body);
  }
  if (isObj(err) && typeof err.statusCode === "number") {
    // A provider stream error object the SDK did not normalise.
    return classifyHttp(err.statusCode, undefined, { error: { code: err.code, type: err.type } });
  }
  if (isNetworkError(err)) return { kind: "unavailable" };
  if (AISDKError.isInstance(err)) return { kind: "unavailable" }; // malformed upstream response
  return { kind: "internal" };
}

/** Keeps google.rpc fields (status, details) of an in-stream Gemini error. */
function pickRpc(data: Json): Json {
  const e = isObj(data.error) ? data.error : data;
  return { status: e.status, details: e.details };
}

function failureToAppError(f: Failure, provider?: string): AppError {
  const v = verdictFor(f, { userBaseUrl: provider === "compatible" });
  return new AppError(v.code, v.message, {
    ...(v.retryAfter !== undefined ? { retryAfter: v.retryAfter } : {}),
    ...(f.kind === "model_not_allowed" ? { issues: [{ path: "model", message: v.message }] } : {}),
  });
}

/**
 * Maps any error from a provider call to an AppError, with the words of lib/ai/verdict.ts (the
 * key Test says the same). `provider` says whether the address was the user's (`compatible`).
 */
export function toAppError(err: unknown, provider?: string): AppError {
  if (isAppError(err)) return err;
  return failureToAppError(classifyError(err), provider);
}

/** Worth one more try: 408, 429 rate limits (never quota), 5xx. Nothing else. */
export function isRetryable(err: unknown): boolean {
  if (isAppError(err)) return err.code === "RATE_LIMITED";
  const f = classifyError(err);
  if (f.kind === "rate_limited") return true;
  return f.status !== undefined && (f.status === 408 || f.status >= 500);
}

/**
 * Removes secrets (and the fragments providers echo, like "sk-abc***wxyz") from text bound for
 * logs. The AppError path never needs it — it copies no provider text at all.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined | null)[] = []): string {
  let out = text
    .replace(/[A-Za-z0-9_-]{2,}\*{3,}[A-Za-z0-9_-]{2,}/g, "[redacted]")
    .replace(/\b(sk-|gsk_|AIza)[A-Za-z0-9_*.-]{3,}/g, "$1[redacted]");
  for (const s of secrets) {
    if (!s || s.length < 6) continue;
    out = out.split(s).join("[redacted]");
    // The key's public prefix is no secret; its tail is what providers echo.
    if (s.length >= 16) out = out.split(s.slice(-8)).join("[redacted]");
  }
  return out;
}
