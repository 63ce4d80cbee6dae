// Reads an upstream HTTP failure by STATUS and STRUCTURED body fields (error.code, error.type,
// google.rpc details) — never by message text, which changes without notice and can echo key
// fragments. Shared by the AI SDK error mapping and the raw models-list call of the key test.

export type FailureKind =
  | "invalid_key"
  | "forbidden"
  | "no_credit"
  | "rate_limited"
  | "model_not_allowed"
  | "bad_request"
  | "unavailable"
  | "timeout"
  | "aborted"
  | "key_missing"
  | "internal";

export type Failure = { kind: FailureKind; status?: number; retryAfter?: number };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v).toLowerCase() : "");

function parseBody(body: unknown): Json | undefined {
  if (isObj(body)) return body;
  if (typeof body !== "string" || body.length > 200_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return isObj(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The provider's error object, whichever envelope it came in. */
function errorObject(body: Json | undefined): Json | undefined {
  if (!body) return undefined;
  if (isObj(body.error)) return body.error;
  if (isObj(body.response) && isObj(body.response.error)) return body.response.error;
  return body;
}

function details(err: Json | undefined, kind: string): Json[] {
  const list = err && Array.isArray(err.details) ? err.details : [];
  return list.filter(
    (d): d is Json => isObj(d) && typeof d["@type"] === "string" && d["@type"].endsWith(`.${kind}`),
  );
}

/** Seconds, rounded up, from retry-after-ms / retry-after headers or a google.rpc.RetryInfo. */
export function retryAfterSeconds(
  headers: Record<string, string> | undefined,
  err?: Json,
): number | undefined {
  const h = headers ?? {};
  const get = (name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  let ms: number | undefined;
  const msHeader = Number.parseFloat(get("retry-after-ms") ?? "");
  if (Number.isFinite(msHeader)) ms = msHeader;
  const ra = get("retry-after");
  if (ms === undefined && ra) {
    const secs = Number.parseFloat(ra);
    ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(ra) - Date.now();
  }
  if (ms === undefined) {
    const delay = details(err, "RetryInfo")[0]?.retryDelay;
    const m = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (m?.[1]) ms = Number.parseFloat(m[1]) * 1000;
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(86_400, Math.max(1, Math.ceil(ms / 1000)));
}

const KEY_REASONS = new Set(["API_KEY_INVALID", "API_KEY_EXPIRED"]);
const MODEL_CODES = new Set(["model_not_found", "model_decommissioned"]);
const QUOTA_CODES = new Set([
  "insufficient_quota",
  "billing_hard_limit_reached",
  "billing_not_active",
  "quota_exceeded",
]);

/** Gemini sends QuotaFailure for per-minute limits too; only those are a rate limit. */
function isExhaustedQuota(err: Json | undefined): boolean {
  const violations = details(err, "QuotaFailure").flatMap((d) =>
    Array.isArray(d.violations) ? d.violations : [],
  );
  if (violations.length === 0) return false;
  return violations.some((v) => !/PerMinute/i.test(isObj(v) ? `${v.quotaId ?? ""}` : ""));
}

export function classifyHttp(
  status: number,
  headers: Record<string, string> | undefined,
  body: unknown,
): Failure {
  const err = errorObject(parseBody(body));
  const code = str(err?.code);
  const type = str(err?.type);
  const rpcStatus = typeof err?.status === "string" ? err.status : "";
  const reasons = details(err, "ErrorInfo").map((d) => `${d.reason ?? ""}`);
  const f = (kind: FailureKind, retryAfter?: number): Failure => ({ kind, status, retryAfter });

  if (reasons.some((r) => KEY_REASONS.has(r)) || code === "invalid_api_key" || status === 401)
    return f("invalid_key");
  if (status === 402 || QUOTA_CODES.has(code) || QUOTA_CODES.has(type)) return f("no_credit");
  if (status === 429)
    return isExhaustedQuota(err) ? f("no_credit") : f("rate_limited", retryAfterSeconds(headers, err));
  // A 404 with a provider error object is about the model; a bare 404 means a wrong base URL.
  if (MODEL_CODES.has(code) || (status === 404 && (code || type || rpcStatus))) return f("model_not_allowed");
  if (status === 403 || rpcStatus === "PERMISSION_DENIED" || rpcStatus === "FAILED_PRECONDITION")
    return f("forbidden");
  if (status === 408 || status === 504) return f("timeout");
  if (status >= 500 || status < 400 || status === 404) return f("unavailable");
  return f("bad_request");
}
