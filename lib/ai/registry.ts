// One entry per provider: everything the settings page, the key vault and the chat route need
// to know about it. Holds no secrets and imports nothing server-only, so the browser may use it.

export const PROVIDER_IDS = ["openai", "groq", "google", "compatible"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export type ModelOption = {
  id: string;
  label: string;
  /** The most output tokens the provider lets the model write in one answer, as its docs list it. */
  maxOutputTokens: number;
  /** A reasoning model whose API ignores temperature (the SDK drops it and warns). */
  noTemperature?: boolean;
};

export type SetupGuide = {
  /** Where to create a key. */
  keyUrl: string;
  /** Where to check credit, billing and quota. */
  billingUrl: string;
  freeTier: string;
  steps: string[];
};

export type ProviderInfo = {
  id: ProviderId;
  label: string;
  /** Shown as the key field's placeholder, e.g. "sk-…". */
  keyFormatHint: string;
  /** The documented public prefix, kept in the masked preview. */
  keyPrefix: string;
  /** Loose shape check: catches a key pasted into the wrong provider, not a revoked key. */
  keyPattern: RegExp;
  keyPatternMessage: string;
  /** Empty for `compatible`: the user types a model id. */
  models: readonly ModelOption[];
  defaultModel: string | null;
  /** Environment variable holding the operator's system key; null when none may exist. */
  systemKeyEnv: "OPENAI_API_KEY" | "GROQ_API_KEY" | "GOOGLE_GENERATIVE_AI_API_KEY" | null;
  /** Environment variable that points the provider at another host (tests, proxies). */
  baseUrlEnv: "OPENAI_BASE_URL" | "GROQ_BASE_URL" | "GOOGLE_GENERATIVE_AI_BASE_URL" | null;
  defaultBaseUrl: string | null;
  requiresBaseUrl: boolean;
  /** The temperature range the provider's API documents (all four: 0 to 2). */
  temperature: { min: number; max: number };
  guide: SetupGuide;
};

export const PROVIDERS: Record<ProviderId, ProviderInfo> = {
  openai: {
    id: "openai",
    label: "OpenAI",
    keyFormatHint: "sk-…",
    keyPrefix: "sk-",
    keyPattern: /^sk-[A-Za-z0-9_-]{8,}$/,
    keyPatternMessage: "OpenAI keys start with sk- (for example sk-proj-…).",
    models: [
      { id: "gpt-5-mini", label: "GPT-5 mini", maxOutputTokens: 128_000, noTemperature: true },
      { id: "gpt-5", label: "GPT-5", maxOutputTokens: 128_000, noTemperature: true },
      { id: "gpt-5-nano", label: "GPT-5 nano", maxOutputTokens: 128_000, noTemperature: true },
      { id: "gpt-5.4-mini", label: "GPT-5.4 mini", maxOutputTokens: 128_000, noTemperature: true },
      { id: "gpt-4.1-mini", label: "GPT-4.1 mini", maxOutputTokens: 32_768 },
      { id: "gpt-4o-mini", label: "GPT-4o mini", maxOutputTokens: 16_384 },
    ],
    defaultModel: "gpt-5-mini",
    systemKeyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    defaultBaseUrl: "https://api.openai.com/v1",
    requiresBaseUrl: false,
    temperature: { min: 0, max: 2 },
    guide: {
      keyUrl: "https://platform.openai.com/api-keys",
      billingUrl: "https://platform.openai.com/settings/organization/billing/overview",
      freeTier:
        "The API has no free tier: add prepaid credit first. A ChatGPT Plus subscription does not include API credit.",
      steps: [
        "Sign in at platform.openai.com and open API keys.",
        "Create a new secret key (a project key, sk-proj-…) and copy it; it is shown only once.",
        "Add credit under Settings → Billing, otherwise every request fails with a quota error.",
        "Paste the key here and press Test.",
      ],
    },
  },
  groq: {
    id: "groq",
    label: "Groq",
    keyFormatHint: "gsk_…",
    keyPrefix: "gsk_",
    keyPattern: /^gsk_[A-Za-z0-9_]{8,}$/,
    keyPatternMessage: "Groq keys start with gsk_.",
    models: [
      { id: "llama-3.3-70b-versatile", label: "Llama 3.3 70B Versatile", maxOutputTokens: 32_768 },
      { id: "llama-3.1-8b-instant", label: "Llama 3.1 8B Instant", maxOutputTokens: 131_072 },
      { id: "openai/gpt-oss-120b", label: "GPT-OSS 120B", maxOutputTokens: 65_536 },
      { id: "openai/gpt-oss-20b", label: "GPT-OSS 20B", maxOutputTokens: 65_536 },
      { id: "meta-llama/llama-4-scout-17b-16e-instruct", label: "Llama 4 Scout", maxOutputTokens: 8_192 },
    ],
    defaultModel: "llama-3.3-70b-versatile",
    systemKeyEnv: "GROQ_API_KEY",
    baseUrlEnv: "GROQ_BASE_URL",
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    requiresBaseUrl: false,
    temperature: { min: 0, max: 2 },
    guide: {
      keyUrl: "https://console.groq.com/keys",
      billingUrl: "https://console.groq.com/settings/limits",
      freeTier:
        "Free plan without a card: every model has per-minute and per-day request and token limits; hitting one gives a rate-limit error until it resets.",
      steps: [
        "Sign in at console.groq.com and open API Keys.",
        "Create an API key (gsk_…) and copy it; it is shown only once.",
        "Paste the key here and press Test. Limits per model are listed under Settings → Limits.",
      ],
    },
  },
  google: {
    id: "google",
    label: "Google Gemini",
    keyFormatHint: "AIza…",
    keyPrefix: "AIza",
    keyPattern: /^AIza[A-Za-z0-9_-]{8,}$/,
    keyPatternMessage: "Gemini API keys from Google AI Studio start with AIza.",
    models: [
      { id: "gemini-2.5-flash", label: "Gemini 2.5 Flash", maxOutputTokens: 65_536 },
      { id: "gemini-2.5-flash-lite", label: "Gemini 2.5 Flash-Lite", maxOutputTokens: 65_536 },
      { id: "gemini-2.5-pro", label: "Gemini 2.5 Pro", maxOutputTokens: 65_536 },
      { id: "gemini-3-flash-preview", label: "Gemini 3 Flash (preview)", maxOutputTokens: 65_536 },
    ],
    defaultModel: "gemini-2.5-flash",
    systemKeyEnv: "GOOGLE_GENERATIVE_AI_API_KEY",
    baseUrlEnv: "GOOGLE_GENERATIVE_AI_BASE_URL",
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
    requiresBaseUrl: false,
    temperature: { min: 0, max: 2 },
    guide: {
      keyUrl: "https://aistudio.google.com/app/apikey",
      billingUrl: "https://aistudio.google.com/usage",
      freeTier:
        "Free tier for the Flash models with daily and per-minute limits (Pro may need billing). On the free tier Google may use prompts to improve its products.",
      steps: [
        "Sign in at aistudio.google.com with a Google account.",
        "Open Get API key, create a key in a new or existing Google Cloud project, and copy it.",
        "For higher limits or Pro models, set up billing for that project.",
        "Paste the key here and press Test.",
      ],
    },
  },
  compatible: {
    id: "compatible",
    label: "OpenAI-compatible",
    keyFormatHint: "the key your server expects",
    keyPrefix: "",
    keyPattern: /^[\x21-\x7e]{1,512}$/,
    keyPatternMessage: "The key contains spaces or characters an API key never has.",
    models: [],
    defaultModel: null,
    systemKeyEnv: null,
    baseUrlEnv: null,
    defaultBaseUrl: null,
    requiresBaseUrl: true,
    temperature: { min: 0, max: 2 },
    guide: {
      keyUrl: "https://platform.openai.com/docs/api-reference/chat",
      billingUrl: "https://platform.openai.com/docs/api-reference/chat",
      freeTier:
        "Depends on the service; local servers such as Ollama, LM Studio or vLLM are free and need no key.",
      steps: [
        "Find the service's OpenAI-compatible base URL, usually ending in /v1 (e.g. https://openrouter.ai/api/v1).",
        "Create a key in that service's dashboard, or tick “No key” for a local server that takes none.",
        "Save: the models the service lists are offered in the chat's model picker. Press Test to check it.",
      ],
    },
  },
};

/**
 * Usual base URLs of OpenAI-compatible services, offered as one-click presets. `keyless`: the
 * server takes no key by default (local servers; reaching them needs the operator's
 * ALLOW_PRIVATE_BASE_URLS unless they run on a public address).
 */
export const COMPATIBLE_PRESETS = [
  { name: "Ollama", baseUrl: "http://localhost:11434/v1", keyless: true },
  { name: "LM Studio", baseUrl: "http://localhost:1234/v1", keyless: true },
  { name: "vLLM", baseUrl: "http://localhost:8000/v1", keyless: true },
  { name: "OpenRouter", baseUrl: "https://openrouter.ai/api/v1", keyless: false },
  { name: "DeepSeek", baseUrl: "https://api.deepseek.com/v1", keyless: false },
  { name: "Together", baseUrl: "https://api.together.xyz/v1", keyless: false },
] as const;

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === "string" && (PROVIDER_IDS as readonly string[]).includes(value);
}

export function getProvider(id: ProviderId): ProviderInfo {
  return PROVIDERS[id];
}

/** The shape every model id must have (a provider's own list may hold ids our registry lacks). */
export const MODEL_ID_PATTERN = /^[\w.:/@+-]{1,200}$/;

/** True when `modelId` is offered for the provider; `compatible` accepts any well-formed id. */
export function isKnownModel(provider: ProviderId, modelId: string): boolean {
  if (provider === "compatible") return MODEL_ID_PATTERN.test(modelId);
  return PROVIDERS[provider].models.some((m) => m.id === modelId);
}

/** Loose format check of a key for a provider; returns a user-facing message or null. */
export function checkKeyFormat(provider: ProviderId, apiKey: string): string | null {
  const info = PROVIDERS[provider];
  return info.keyPattern.test(apiKey.trim()) ? null : info.keyPatternMessage;
}

/** Max output of a model we do not list (a `compatible` server's): its server enforces its own. */
export const UNLISTED_MAX_OUTPUT_TOKENS = 1_000_000;

/** The model's entry in our catalogue, if listed. */
export function modelInfo(provider: ProviderId, modelId: string): ModelOption | undefined {
  return PROVIDERS[provider].models.find((m) => m.id === modelId);
}

/** The cap on max output tokens for a model: its documented limit, or a sanity bound when unlisted. */
export function maxOutputCap(provider: ProviderId, modelId: string): number {
  return modelInfo(provider, modelId)?.maxOutputTokens ?? UNLISTED_MAX_OUTPUT_TOKENS;
}
