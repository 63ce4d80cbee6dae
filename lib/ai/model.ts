import "server-only";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createGroq } from "@ai-sdk/groq";
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { defaultSettingsMiddleware, wrapLanguageModel } from "ai";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { userUrlFetch } from "@/lib/net/dispatcher";
import { PROVIDERS, type ProviderId } from "./registry";

// Builds the AI SDK model for ONE request from the key that request resolved. Providers are
// never cached or created at module level: a shared instance would hold someone's key, and the
// SDK falls back to OPENAI_API_KEY & co. from process.env when a key is missing — so a missing
// key is an error here, never a silent switch to the operator's key.

export type OpenAIApi = "responses" | "chat";

export type CreateModelInput = {
  provider: ProviderId;
  apiKey: string;
  modelId: string;
  /**
   * `compatible` only (required there; ignored for the others, whose host comes from the
   * environment). The caller must have run lib/keys' checkBaseUrl on it (SSRF rules).
   */
  baseUrl?: string;
  /**
   * OpenAI only. Default "responses": OpenAI's primary API, and some models (gpt-5-pro, codex)
   * exist only there. "chat" uses /chat/completions.
   */
  openaiApi?: OpenAIApi;
  /**
   * How requests to a user-supplied base URL connect. Defaults to lib/net's guarded fetch (the
   * SSRF check at connect time); tests pass one built with a stub resolver.
   */
  fetch?: typeof fetch;
};

/** The upstream base URL a provider's requests go to (env override, else the public API). */
export function providerBaseUrl(provider: ProviderId, userBaseUrl?: string): string {
  const info = PROVIDERS[provider];
  if (info.requiresBaseUrl) {
    const raw = userBaseUrl?.trim();
    if (!raw) throw invalid("baseUrl", "Enter the base URL of the OpenAI-compatible API.");
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid("baseUrl", "The base URL is not a valid URL.");
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
      throw invalid("baseUrl", "The base URL must be an http(s) URL without credentials.");
    }
    return raw.replace(/\/+$/, "");
  }
  const fromEnv = info.baseUrlEnv ? env()[info.baseUrlEnv] : undefined;
  return (fromEnv ?? info.defaultBaseUrl ?? "").replace(/\/+$/, "");
}

function invalid(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path, message }] });
}

/**
 * Provider APIs never redirect, so following one is an error. The operator-configured hosts use
 * this; a user-supplied base URL goes through the guarded fetch (which refuses redirects too).
 */
const noRedirectFetch: typeof fetch = (input, init) => fetch(input, { ...init, redirect: "error" });

/** A keyless endpoint gets no Authorization header at all (not an empty "Bearer "). */
function withoutAuthorization(f: typeof fetch): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete("authorization");
    return f(input, { ...init, headers });
  };
}

// The app keeps its own history and sends it in full each turn, so nothing needs to live at
// OpenAI: store=false keeps conversations out of OpenAI's 30-day storage and makes the SDK send
// message text instead of `item_reference`s that break when the user swaps keys or projects.
const openaiNoStore = defaultSettingsMiddleware({
  settings: { providerOptions: { openai: { store: false } } },
});

// Gemini thinks without showing it unless asked: includeThoughts returns the thought summaries,
// which the chat shows under "Thinking…" (the thinking is billed either way).
const googleThoughts = defaultSettingsMiddleware({
  settings: { providerOptions: { google: { thinkingConfig: { includeThoughts: true } } } },
});

export function createLanguageModel(input: CreateModelInput): LanguageModelV4 {
  const { provider } = input;
  const apiKey = typeof input.apiKey === "string" ? input.apiKey.trim() : "";
  // Only an OpenAI-compatible endpoint may run without a key (a local server that takes none).
  if (!apiKey && provider !== "compatible") throw new AppError("API_KEY_REQUIRED");
  const modelId = typeof input.modelId === "string" ? input.modelId.trim() : "";
  if (!modelId) throw invalid("model", "Choose a model.");
  const baseURL = providerBaseUrl(provider, input.baseUrl);

  switch (provider) {
    case "openai": {
      const openai = createOpenAI({ apiKey, baseURL, fetch: noRedirectFetch });
      if (input.openaiApi === "chat") return openai.chat(modelId);
      return wrapLanguageModel({ model: openai.responses(modelId), middleware: openaiNoStore });
    }
    case "groq":
      return createGroq({ apiKey, baseURL, fetch: noRedirectFetch })(modelId); // chat completions
    case "google":
      return wrapLanguageModel({
        model: createGoogleGenerativeAI({ apiKey, baseURL, fetch: noRedirectFetch })(modelId),
        middleware: googleThoughts,
      });
    case "compatible": {
      // Chat Completions is what "OpenAI-compatible" servers (Ollama, vLLM, OpenRouter…) implement.
      // apiKey "" is passed as a string on purpose: the SDK reads OPENAI_API_KEY from the
      // environment only when it is missing, and the operator's key must never go to a user's URL.
      const guarded = input.fetch ?? userUrlFetch;
      return createOpenAI({
        apiKey,
        baseURL,
        name: "compatible",
        fetch: apiKey ? guarded : withoutAuthorization(guarded),
      }).chat(modelId);
    }
    default:
      throw invalid("provider", "Unknown provider.");
  }
}
