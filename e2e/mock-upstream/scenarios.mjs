// Knobs and error bodies of the mock upstream. A scenario is picked from the API key's text
// (the app can only pass a key through), or from the `x-mock-scenario` header in direct tests;
// so is the `reasoning` knob (`x-mock-reasoning: 1`).
// Error bodies copy the real providers' JSON shapes, and every one carries LEAKY_TEXT plus a
// fragment of the key, so tests can prove provider text never reaches the browser.

import { googleError, googleFamilyError } from "./google-errors.mjs";
import { keyFragment, LEAKY_TEXT } from "./leak.mjs";
import { openaiError, openaiFamilyError } from "./openai-errors.mjs";

export { keyFragment, LEAKY_TEXT } from "./leak.mjs";

/** Checked in this order; a key is matched with `-` and `_` removed, case-insensitively. */
export const SCENARIOS = [
  "model-denied",
  "server-error",
  "overloaded",
  "ratelimit",
  "forbidden",
  "invalid",
  "midfail",
  "midcut",
  "quota",
  "stall",
  // Before "slow" (a "longslow" key contains "slow"): slow frames, and 8× as many of them, for
  // tests that stop an answer mid-stream: under load a 3-second answer could end before the click.
  "long-slow",
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

/**
 * The `reasoning` knob, orthogonal to the scenario (a key may say "reasoning" and "midfail"):
 * the answer starts with reasoning in the provider's own wire format. Real providers send it
 * only to reasoning models, and OpenAI's Responses API and Gemini only when the request asks
 * (`reasoning.summary`, `thinkingConfig.includeThoughts`); the knob stands for that case.
 */
export function wantsReasoning(key, header) {
  if (typeof header === "string" && header) return header === "1" || header.toLowerCase() === "true";
  return squash(key ?? "").includes("reasoning");
}

/** @returns {{ status: number, headers?: Record<string,string>, body: object }} */
export function errorResponse(provider, scenario, ctx) {
  return provider === "google"
    ? googleFamilyError(scenario, ctx)
    : openaiFamilyError(provider, scenario, ctx);
}

/** The frame a provider sends when it fails after tokens were streamed (`midfail`). */
export function midStreamError(provider, api, { key }) {
  const message = `${LEAKY_TEXT}: The server had an error while processing your request. [key ${keyFragment(key)}]`;
  if (provider === "google") return googleError(500, "INTERNAL", message);
  if (api === "responses") return { type: "error", code: "server_error", message, param: null };
  return openaiError(
    message,
    provider === "groq" ? "internal_server_error" : "server_error",
    null,
    provider !== "groq",
  );
}
