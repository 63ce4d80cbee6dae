import { maxOutputCap, modelInfo, PROVIDERS, type ProviderId } from "@/lib/ai/registry";

// Instructions and generation parameters of a chat. Shared by the server and the browser (the
// chat settings dialog shows the same ranges the server enforces): no server-only imports.

/** Longest system prompt, default or per chat (about 2,000 words). */
export const SYSTEM_PROMPT_MAX_CHARS = 8000;

/**
 * A chat's own settings, as stored on the chat row. `systemPrompt` null follows the user's
 * default instructions; "" means none at all. `temperature` / `maxOutputTokens` null leave the
 * provider's own default (nothing is sent).
 */
export type ChatSettings = {
  systemPrompt: string | null;
  temperature: number | null;
  maxOutputTokens: number | null;
};

export const DEFAULT_CHAT_SETTINGS: ChatSettings = {
  systemPrompt: null,
  temperature: null,
  maxOutputTokens: null,
};

/** What one answer was asked with (stored on the answer, shown in its details). */
export type AnswerParams = {
  /** A system prompt was sent. */
  system: boolean;
  /** Where it came from: the chat's own or the user's default. */
  systemSource?: "chat" | "default";
  temperature?: number;
  /** The provider SDK dropped the temperature (a reasoning model): requested, not sent. */
  temperatureIgnored?: boolean;
  maxOutputTokens?: number;
};

/** The call options for the provider, and the record of them for the answer. */
export type ResolvedParams = {
  call: { system?: string; temperature?: number; maxOutputTokens?: number };
  record: AnswerParams;
};

/** The temperature range the provider documents. */
export function temperatureRange(provider: ProviderId): { min: number; max: number } {
  return PROVIDERS[provider].temperature;
}

/** True when the model ignores temperature (OpenAI's reasoning models). */
export function ignoresTemperature(provider: ProviderId, modelId: string): boolean {
  return modelInfo(provider, modelId)?.noTemperature === true;
}

/**
 * The settings a turn runs with: the chat's own system prompt, else the user's default; the
 * chat's temperature and max output, the latter capped by the model's limit (a chat keeps its
 * setting when it switches to a model with a smaller limit).
 */
export function resolveParams(
  settings: ChatSettings,
  defaultSystemPrompt: string | null,
  provider: ProviderId,
  modelId: string,
): ResolvedParams {
  const own = settings.systemPrompt;
  const system = own !== null ? own.trim() : (defaultSystemPrompt ?? "").trim();
  const call: ResolvedParams["call"] = {};
  const record: AnswerParams = { system: system.length > 0 };
  if (system) {
    call.system = system;
    record.systemSource = own !== null ? "chat" : "default";
  }
  if (settings.temperature !== null) {
    call.temperature = settings.temperature;
    // Whether the model ignored it is known from the provider call's warnings (see turn.ts).
    record.temperature = settings.temperature;
  }
  if (settings.maxOutputTokens !== null) {
    const capped = Math.min(settings.maxOutputTokens, maxOutputCap(provider, modelId));
    call.maxOutputTokens = capped;
    record.maxOutputTokens = capped;
  }
  return { call, record };
}
