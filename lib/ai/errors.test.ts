import { APICallError, RetryError, StreamProviderError } from "ai";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { classifyHttp, retryAfterSeconds } from "./classify";
import { isAbortError, isRetryable, redactSecrets, toAppError } from "./errors";

// The mapping table on the bodies providers really send (documented shapes), including the
// ones the mock does not produce.

const apiError = (statusCode: number | undefined, body: unknown, headers: Record<string, string> = {}) =>
  new APICallError({
    message: "LEAKY-PROVIDER-TEXT sk-abc***wxyz",
    url: "https://api.example.com/v1/chat/completions",
    requestBodyValues: { messages: [{ role: "user", content: "secret prompt" }] },
    statusCode,
    responseHeaders: headers,
    responseBody: body === undefined ? undefined : JSON.stringify(body),
  });

const gemini429 = (quotaId: string, retryDelay?: string) => ({
  error: {
    code: 429,
    message: "quota",
    status: "RESOURCE_EXHAUSTED",
    details: [
      { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId, quotaValue: "15" }] },
      ...(retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] : []),
    ],
  },
});

describe("classifyHttp", () => {
  it.each([
    [401, { error: { message: "x", type: "invalid_request_error", code: "invalid_api_key" } }, "invalid_key"],
    [
      400,
      {
        error: {
          code: 400,
          status: "INVALID_ARGUMENT",
          message: "x",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
        },
      },
      "invalid_key",
    ],
    [400, { error: { code: 400, status: "INVALID_ARGUMENT", message: "bad field" } }, "bad_request"],
    [400, { error: { code: 400, status: "FAILED_PRECONDITION", message: "region" } }, "forbidden"],
    [
      403,
      { error: { message: "x", type: "request_forbidden", code: "unsupported_country_region_territory" } },
      "forbidden",
    ],
    [429, { error: { message: "x", type: "insufficient_quota", code: "insufficient_quota" } }, "no_credit"],
    [429, { error: { message: "x", type: "requests", code: "rate_limit_exceeded" } }, "rate_limited"],
    [429, { error: { message: "x", type: "tokens", code: "rate_limit_exceeded" } }, "rate_limited"],
    [429, gemini429("GenerateRequestsPerDayPerProjectPerModel-FreeTier"), "no_credit"],
    [429, gemini429("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "7s"), "rate_limited"],
    [429, { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "x" } }, "rate_limited"],
    [402, { error: { message: "Insufficient credits" } }, "no_credit"],
    [
      404,
      { error: { message: "x", type: "invalid_request_error", code: "model_not_found" } },
      "model_not_allowed",
    ],
    [
      404,
      { error: { code: 404, status: "NOT_FOUND", message: "models/x is not found" } },
      "model_not_allowed",
    ],
    [
      400,
      { error: { message: "x", type: "invalid_request_error", code: "model_decommissioned" } },
      "model_not_allowed",
    ],
    [404, "<html>Not Found</html>", "unavailable"],
    [404, { detail: "Not Found" }, "unavailable"],
    [408, undefined, "timeout"],
    [500, { error: { message: "x", type: "server_error", code: null } }, "unavailable"],
    [503, { error: { code: 503, status: "UNAVAILABLE", message: "overloaded" } }, "unavailable"],
    [422, { error: { message: "x" } }, "bad_request"],
  ])("%i %j → %s", (status, body, kind) => {
    expect(classifyHttp(status, {}, typeof body === "string" ? body : JSON.stringify(body)).kind).toBe(kind);
  });

  it("never reads the message: a quota-sounding 429 message with a rate-limit code is a rate limit", () => {
    const body = {
      error: { message: "You exceeded your current quota", type: "requests", code: "rate_limit_exceeded" },
    };
    expect(classifyHttp(429, {}, JSON.stringify(body)).kind).toBe("rate_limited");
  });
});

describe("retryAfterSeconds", () => {
  it("reads retry-after-ms, retry-after (seconds or date) and RetryInfo, rounding up", () => {
    expect(retryAfterSeconds({ "retry-after-ms": "1500" })).toBe(2);
    expect(retryAfterSeconds({ "Retry-After": "20" })).toBe(20);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterSeconds({ "retry-after": inTenSeconds })).toBeGreaterThanOrEqual(9);
    expect(retryAfterSeconds({}, gemini429("PerMinute", "7.2s").error)).toBe(8);
    expect(retryAfterSeconds({})).toBeUndefined();
    expect(retryAfterSeconds({ "retry-after": "soon" })).toBeUndefined();
  });
});

describe("toAppError", () => {
  it("keeps AppErrors and never copies provider text or the request", () => {
    const own = new AppError("NOT_FOUND");
    expect(toAppError(own)).toBe(own);
    const mapped = toAppError(apiError(401, { error: { message: "LEAKY", type: "invalid_request_error" } }));
    expect(mapped.code).toBe("INVALID_API_KEY");
    expect(JSON.stringify({ ...mapped.toJSON(), m: mapped.message })).not.toMatch(/LEAKY|secret prompt|wxyz/);
  });

  it("unwraps RetryError to its last error", () => {
    const last = apiError(429, {
      error: { message: "x", type: "insufficient_quota", code: "insufficient_quota" },
    });
    const err = new RetryError({
      message: "Failed after 3 attempts",
      reason: "maxRetriesExceeded",
      errors: [last],
    });
    expect(toAppError(err).code).toBe("QUOTA_EXCEEDED");
    expect(isRetryable(err)).toBe(false);
  });

  it("maps in-stream provider errors by their status and code", () => {
    const quota = new StreamProviderError({ message: "LEAKY", code: "insufficient_quota", statusCode: 429 });
    expect(toAppError(quota).code).toBe("QUOTA_EXCEEDED");
    const rate = new StreamProviderError({ message: "LEAKY", type: "rate_limit_error", statusCode: 429 });
    expect(toAppError(rate).code).toBe("RATE_LIMITED");
    expect(isRetryable(rate)).toBe(true);
  });

  it("maps network failures, timeouts and our own bugs", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    });
    expect(toAppError(refused).code).toBe("PROVIDER_UNAVAILABLE");
    expect(toAppError(apiError(undefined, undefined)).code).toBe("PROVIDER_UNAVAILABLE");
    expect(toAppError(new DOMException("t", "TimeoutError")).code).toBe("PROVIDER_UNAVAILABLE");
    expect(toAppError(new TypeError("x is not a function")).code).toBe("INTERNAL");
    expect(isAbortError(new DOMException("a", "AbortError"))).toBe(true);
    expect(isAbortError(new DOMException("t", "TimeoutError"))).toBe(false);
  });
});

describe("isRetryable", () => {
  it.each([
    [408, {}, true],
    [429, { error: { message: "x", code: "rate_limit_exceeded", type: "requests" } }, true],
    [429, { error: { message: "x", code: "insufficient_quota", type: "insufficient_quota" } }, false],
    [500, {}, true],
    [503, {}, true],
    [401, {}, false],
    [403, {}, false],
    [404, { error: { message: "x", code: "model_not_found" } }, false],
    [400, {}, false],
  ])("%i %j → %s", (status, body, expected) => {
    expect(isRetryable(apiError(status, body))).toBe(expected);
  });
});

describe("redactSecrets", () => {
  it("removes whole keys, their ends, and provider-style fragments", () => {
    const key = "sk-proj-AbCdEfGh1234567890WxYz";
    const text = `bad key ${key}; provided: sk-proj-***WxYz; also gsk_abcdef123 and AIzaSyExample; tail 7890WxYz`;
    const out = redactSecrets(text, [key]);
    expect(out).not.toContain(key);
    expect(out).not.toContain("WxYz");
    expect(out).not.toContain("gsk_abcdef123");
    expect(out).not.toContain("AIzaSyExample");
    expect(out).toContain("bad key");
  });
});
