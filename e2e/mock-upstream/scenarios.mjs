// Knobs and error bodies of the mock upstream. A scenario is picked from the API key's text
// (the app can only pass a key through), or from the `x-mock-scenario` header in direct tests.
// Error bodies copy the real providers' JSON shapes, and every one carries LEAKY_TEXT plus a
// fragment of the key, so tests can prove provider text never reaches the browser.

export const LEAKY_TEXT = "LEAKY-PROVIDER-TEXT";

/** Checked in this order; a key is matched with `-` and `_` removed, case-insensitively. */
export const SCENARIOS = [
  "model-denied",
  "server-error",
  "ratelimit",
  "forbidden",
  "invalid",
  "midfail",
  "midcut",
  "quota",
  "stall",
  "slow",
];

const squash = (s) => s.toLowerCase().replace(/[-_\s]/g, "");

/** @returns {string} one of SCENARIOS or "ok" */
export function pickScenario(key, header) {
  const wanted = typeof header === "string" && header ? squash(header) : null;
  if (wanted) return SCENARIOS.find((s) => squash(s) === wanted) ?? "ok";
  const k = squash(key ?? "");
  return SCENARIOS.find((s) => k.includes(squash(s))) ?? "ok";
}

/** Like OpenAI's "Incorrect API key provided: sk-abc***wxyz": the kind of echo we must never forward. */
export function keyFragment(key) {
  if (!key) return "(none)";
  return key.length > 12 ? `${key.slice(0, 8)}***${key.slice(-4)}` : `${key.slice(0, 3)}***`;
}

const openaiError = (message, type, code, withParam = true) => ({
  error: { message, type, ...(withParam ? { param: null } : {}), code },
});

/** Error response for an OpenAI-format provider ("openai" | "groq" | "compatible"). */
function openaiFamilyError(provider, scenario, { key, model, retryAfter }) {
  const frag = keyFragment(key);
  const groq = provider === "groq";
  const p = !groq; // Groq's error objects have no `param`
  const leak = (text) => `${LEAKY_TEXT}: ${text} [key ${frag}]`;
  switch (scenario) {
    case "invalid":
    case "missing-key":
      return {
        status: 401,
        body: openaiError(
          leak(
            scenario === "missing-key"
              ? "You didn't provide an API key."
              : groq
                ? `Invalid API Key ${frag}`
                : `Incorrect API key provided: ${frag}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          ),
          "invalid_request_error",
          scenario === "missing-key" ? null : "invalid_api_key",
          p,
        ),
      };
    case "forbidden":
      return {
        status: 403,
        body: groq
          ? openaiError(leak("Organization has been restricted."), "permissions_error", "organization_restricted", p)
          : openaiError(
              leak("Country, region, or territory not supported"),
              "request_forbidden",
              "unsupported_country_region_territory",
            ),
      };
    case "quota":
      return {
        status: 429,
        body: openaiError(
          leak("You exceeded your current quota, please check your plan and billing details."),
          "insufficient_quota",
          "insufficient_quota",
          p,
        ),
      };
    case "ratelimit":
      return {
        status: 429,
        headers: {
          "retry-after": String(retryAfter),
          "x-ratelimit-limit-requests": "3",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": `${retryAfter}s`,
        },
        body: openaiError(
          leak(
            `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfter}s.`,
          ),
          groq ? "tokens" : "requests",
          "rate_limit_exceeded",
          p,
        ),
      };
    case "model-denied":
      return {
        status: 404,
        body: openaiError(
          leak(`The model \`${model}\` does not exist or you do not have access to it.`),
          "invalid_request_error",
          "model_not_found",
          p,
        ),
      };
    default:
      return {
        status: 500,
        body: openaiError(
          leak("The server had an error while processing your request. Sorry about that!"),
          groq ? "internal_server_error" : "server_error",
          null,
          p,
        ),
      };
  }
}

const errorInfo = (reason) => ({
  "@type": "type.googleapis.com/google.rpc.ErrorInfo",
  reason,
  domain: "googleapis.com",
  metadata: { service: "generativelanguage.googleapis.com" },
});

const googleError = (code, status, message, details) => ({
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
function googleFamilyError(scenario, { key, model, retryAfter }) {
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
        body: googleError(403, "PERMISSION_DENIED", leak(`Permission denied: Consumer 'api_key:${frag}' blocked.`), [
          errorInfo("API_KEY_SERVICE_BLOCKED"),
        ]),
      };
    case "quota":
      return {
        status: 429,
        body: googleError(429, "RESOURCE_EXHAUSTED", leak("You exceeded your current quota."), [
          quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier", model, "250"),
          { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
        ]),
      };
    case "ratelimit":
      return {
        status: 429,
        headers: { "retry-after": String(retryAfter) },
        body: googleError(429, "RESOURCE_EXHAUSTED", leak("Resource has been exhausted (e.g. check quota)."), [
          quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", model, "10"),
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfter}s` },
        ]),
      };
    case "model-denied":
      return {
        status: 404,
        body: googleError(
          404,
          "NOT_FOUND",
          leak(`models/${model} is not found for API version v1beta, or is not supported for generateContent.`),
        ),
      };
    default:
      return {
        status: 500,
        body: googleError(500, "INTERNAL", leak("An internal error has occurred. Please retry.")),
      };
  }
}

/** @returns {{ status: number, headers?: Record<string,string>, body: object }} */
export function errorResponse(provider, scenario, ctx) {
  return provider === "google" ? googleFamilyError(scenario, ctx) : openaiFamilyError(provider, scenario, ctx);
}

/** The frame a provider sends when it fails after tokens were streamed (`midfail`). */
export function midStreamError(provider, api, { key }) {
  const message = `${LEAKY_TEXT}: The server had an error while processing your request. [key ${keyFragment(key)}]`;
  if (provider === "google") return googleError(500, "INTERNAL", message);
  if (api === "responses") return { type: "error", code: "server_error", message, param: null };
  return openaiError(message, provider === "groq" ? "internal_server_error" : "server_error", null, provider !== "groq");
}
