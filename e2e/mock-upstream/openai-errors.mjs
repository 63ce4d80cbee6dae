// Error bodies of OpenAI-format providers (OpenAI, Groq, OpenAI-compatible), as their APIs send them.

import { keyFragment, LEAKY_TEXT } from "./leak.mjs";

export const openaiError = (message, type, code, withParam = true) => ({
  error: { message, type, ...(withParam ? { param: null } : {}), code },
});

/** Error response for an OpenAI-format provider ("openai" | "groq" | "compatible"). */
export function openaiFamilyError(provider, scenario, { key, model, retryAfter }) {
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
          ? openaiError(
              leak("Organization has been restricted."),
              "permissions_error",
              "organization_restricted",
              p,
            )
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
    case "overloaded":
      // OpenAI's "engine overloaded" / Groq's "over capacity": a 503 with a server_error body.
      return {
        status: 503,
        body: openaiError(
          leak(
            groq
              ? "Groq is currently over capacity. Please try again."
              : "The engine is currently overloaded, please try again later",
          ),
          groq ? "internal_server_error" : "server_error",
          groq ? "service_unavailable" : null,
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
