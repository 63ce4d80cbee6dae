// List prices in US dollars per 1M tokens (input, output), as published by each provider for
// standard (non-batch, non-cached) traffic. They drift: treat them as an estimate shown to the
// user, never as a bill. A model missing here costs 0 (compatible endpoints, new models) and
// counts against token limits only (lib/keys/limits.ts).

export type Price = { input: number; output: number };

const PRICES: Record<string, Record<string, Price>> = {
  openai: {
    "gpt-5": { input: 1.25, output: 10 },
    "gpt-5-mini": { input: 0.25, output: 2 },
    "gpt-5-nano": { input: 0.05, output: 0.4 },
    "gpt-4.1": { input: 2, output: 8 },
    "gpt-4.1-mini": { input: 0.4, output: 1.6 },
    "gpt-4.1-nano": { input: 0.1, output: 0.4 },
    "gpt-4o": { input: 2.5, output: 10 },
    "gpt-4o-mini": { input: 0.15, output: 0.6 },
    o3: { input: 2, output: 8 },
    "o4-mini": { input: 1.1, output: 4.4 },
  },
  groq: {
    "llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
    "llama-3.3-70b-versatile": { input: 0.59, output: 0.79 },
    "openai/gpt-oss-120b": { input: 0.15, output: 0.75 },
    "openai/gpt-oss-20b": { input: 0.1, output: 0.5 },
    "meta-llama/llama-4-scout-17b-16e-instruct": { input: 0.11, output: 0.34 },
    "meta-llama/llama-4-maverick-17b-128e-instruct": { input: 0.2, output: 0.6 },
    "qwen/qwen3-32b": { input: 0.29, output: 0.59 },
    "moonshotai/kimi-k2-instruct": { input: 1, output: 3 },
  },
  google: {
    "gemini-2.5-pro": { input: 1.25, output: 10 },
    "gemini-2.5-flash": { input: 0.3, output: 2.5 },
    "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
    "gemini-2.0-flash": { input: 0.1, output: 0.4 },
    "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  },
};

/** The list price of a model, or null when our table does not know it ("price unknown"). */
export function priceOf(provider: string, model: string): Price | null {
  return PRICES[provider]?.[model] ?? null;
}

/**
 * Cost in micro-dollars. A price "per 1M tokens" times a token count is exactly micro-dollars,
 * so no scaling is needed; rounding keeps the column an integer.
 */
export function costMicros(
  provider: string,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number {
  const p = priceOf(provider, model);
  if (!p) return 0;
  return Math.round(Math.max(0, inputTokens) * p.input + Math.max(0, outputTokens) * p.output);
}

/** "$0.0042": enough digits to show a cheap turn is not free. */
export function formatMicros(micros: number): string {
  const dollars = micros / 1_000_000;
  if (dollars === 0) return "$0";
  if (dollars < 0.0001) return "< $0.0001";
  if (dollars < 0.01) return `$${dollars.toFixed(4)}`;
  return `$${dollars.toFixed(2)}`;
}

/** A limit or an amount spent against one: exact enough that a tiny limit never reads "$0.0000". */
export function formatUsd(micros: number): string {
  if (micros === 0) return "$0";
  return `$${(micros / 1_000_000).toFixed(micros < 100 ? 6 : micros < 10_000 ? 4 : 2)}`;
}
