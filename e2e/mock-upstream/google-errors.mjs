// Error bodies of the Gemini API (google.rpc.Status with typed details), as it sends them.

import { keyFragment, LEAKY_TEXT } from "./leak.mjs";

const errorInfo = (reason) => ({
  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
  reason,
  domain: "googleapis.com",
  metadata: { service: "generativelanguage.googleapis.com" },
});

export const googleError = (code, status, message, details) => ({
  error: { code, message, status, ...(details ? { details } : {}) },
});

const quotaFailure = (quotaId, model, quotaValue) => ({
  "@type": "type.googleapis.com/google.rpc.QuotaFailure",
  violations: [
    {
      quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
      quotaId,
      quotaDimensions: { location: "global", model },
      quotaValue,
    },
  ],
});

/** Error response in the Gemini API's google.rpc.Status shape. */
export function googleFamilyError(scenario, { key, model, retryAfter }) {
  const frag = keyFragment(key);
  const leak = (text) => `${LEAKY_TEXT}: ${text} [key ${frag}]`;
  switch (scenario) {
    case "invalid":
      return {
        status: 400,
        body: googleError(400, "INVALID_ARGUMENT", leak("API key not valid. Please pass a valid API key."), [
          errorInfo("API_KEY_INVALID"),
          {
            "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
            locale: "en-US",
            message: leak("API key not valid. Please pass a valid API key."),
          },
        ]),
      };
    case "missing-key":
      return {
        status: 403,
        body: googleError(403, "PERMISSION_DENIED", leak("Method doesn't allow unregistered callers."), [
          errorInfo("API_KEY_MISSING"),
        ]),
      };
    case "forbidden":
      return {
        status: 403,
        body: googleError(
          403,
          "PERMISSION_DENIED",
          leak(`Permission denied: Consumer 'api_key:${frag}' blocked.`),
          [errorInfo("API_KEY_SERVICE_BLOCKED")],
        ),
      };
    case "quota":
      return {
        status: 429,
        body: googleError(429, "RESOURCE_EXHAUSTED", leak("You exceeded your current quota."), [
          quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier", model, "250"),
          {
            "@type": "type.googleapis.com/google.rpc.Help",
            links: [{ description: "Learn more", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }],
          },
        ]),
      };
    case "ratelimit":
      return {
        status: 429,
        headers: { "retry-after": String(retryAfter) },
        body: googleError(
          429,
          "RESOURCE_EXHAUSTED",
          leak("Resource has been exhausted (e.g. check quota)."),
          [
            quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", model, "10"),
            { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfter}s` },
          ],
        ),
      };
    case "model-denied":
      return {
        status: 404,
        body: googleError(
          404,
          "NOT_FOUND",
          leak(
            `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
          ),
        ),
      };
    case "overloaded":
      return {
        status: 503,
        body: googleError(503, "UNAVAILABLE", leak("The model is overloaded. Please try again later.")),
      };
    default:
      return {
        status: 500,
        body: googleError(500, "INTERNAL", leak("An internal error has occurred. Please retry.")),
      };
  }
}
