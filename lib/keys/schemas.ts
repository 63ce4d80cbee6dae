import { z } from "zod";
import { getProvider, isKnownModel, isProviderId, PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import { AppError } from "@/lib/errors";
import { text } from "@/lib/text";

// Input shapes shared by the server actions and the REST routes, so both refuse the same things.
// They run once, at the boundary; lib/keys takes the parsed values and checks only the rules that
// need the provider or the network (key format, base URL).

const providerSchema = z.enum(PROVIDER_IDS);

/** A provider named in a path or an action: unknown ones are a missing resource (404), like a missing key. */
export function parseProvider(value: unknown): ProviderId {
  if (!isProviderId(value)) throw new AppError("NOT_FOUND", "Unknown provider.");
  return value;
}

/**
 * A key goes into an Authorization header: printable ASCII only, no spaces (a pasted key with a
 * newline or a zero-width space is the commonest "invalid key" that is not the provider's fault).
 */
export const apiKeySchema = text({ error: "Enter an API key." })
  .trim()
  .min(1, "Enter an API key.")
  .max(512, "That is too long to be an API key.")
  .regex(/^[\x21-\x7e]+$/, "The API key contains spaces or characters an API key never has.");

export const baseUrlSchema = text().trim().min(1, "Enter a base URL.").max(2048, "The base URL is too long.");

export const labelSchema = text()
  .trim()
  .min(1, "Enter a name.")
  .max(60, "Use at most 60 characters.")
  .regex(/^[^\p{Cc}]+$/u, "The name contains control characters.");

export const saveKeySchema = z.strictObject({
  // Optional only for an OpenAI-compatible endpoint that takes no key (Ollama, LM Studio, vLLM):
  // checkKeyInput requires it for every other provider.
  apiKey: apiKeySchema.optional(),
  baseUrl: baseUrlSchema.optional(),
  label: labelSchema.optional(),
  enabled: z.boolean().optional(),
});
export type SaveKeyInput = z.infer<typeof saveKeySchema>;

const testKeyFields = {
  apiKey: apiKeySchema.optional(),
  baseUrl: baseUrlSchema.optional(),
  /** Test the typed base URL with no key at all (a keyless local server). */
  keyless: z.literal(true).optional(),
};

/**
 * Sending the STORED key to a newly typed URL would exfiltrate it: a URL comes with a typed key,
 * or explicitly with none (keyless); a typed key and `keyless` together make no sense.
 */
const typedKeyForTypedUrl = (b: { apiKey?: string; baseUrl?: string; keyless?: true }) =>
  b.keyless ? b.apiKey === undefined : b.baseUrl === undefined || b.apiKey !== undefined;
const typedKeyMessage = {
  path: ["apiKey"],
  message: "Enter the API key to test it against a different base URL.",
};

/** Test the stored key (empty) or a typed key that is not saved. */
export const testKeySchema = z.strictObject(testKeyFields).refine(typedKeyForTypedUrl, typedKeyMessage);
export type TestKeyInput = z.infer<typeof testKeySchema>;

/** The settings page's test action: the provider travels in the body. */
export const testKeyActionSchema = z
  .strictObject({ provider: text().trim().min(1).max(40), ...testKeyFields })
  .refine(typedKeyForTypedUrl, typedKeyMessage);

export const toggleKeySchema = z.strictObject({ enabled: z.boolean() });

/** POST /api/keys: another key for the provider (tried after the ones already saved). */
export const addKeySchema = saveKeySchema.extend({ provider: text().trim().min(1).max(40) });

/** PATCH one key: switch on/off, rename (null clears the name), move one place earlier or later. */
export const updateKeySchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    label: labelSchema.nullable().optional(),
    move: z.enum(["up", "down"]).optional(),
  })
  .refine((b) => b.enabled !== undefined || b.label !== undefined || b.move !== undefined, {
    message: "Send enabled, label or move.",
  });
export type UpdateKeyInput = z.infer<typeof updateKeySchema>;

export const defaultsSchema = z
  .strictObject({
    provider: providerSchema,
    model: text()
      .trim()
      .min(1, "Choose a model.")
      .max(200, "The model name is too long.")
      .regex(/^[\w.:/@+-]+$/, "The model name contains characters a model id never has."),
  })
  .check((ctx) => {
    const { provider, model } = ctx.value;
    if (!isKnownModel(provider, model)) {
      ctx.issues.push({
        code: "custom",
        input: model,
        path: ["model"],
        message: `${model} is not a ${getProvider(provider).label} model this app offers.`,
      });
    }
  });
export type DefaultsInput = z.infer<typeof defaultsSchema>;

/** Where a change came from, recorded in the audit log. Truncated: both are client-controlled. */
export type RequestContext = { ip?: string | null; userAgent?: string | null };

export function cleanContext(ctx: RequestContext | undefined): {
  ip: string | null;
  userAgent: string | null;
} {
  const clip = (v: string | null | undefined, n: number) =>
    v ? v.replace(/\p{Cc}/gu, "").slice(0, n) : null;
  return { ip: clip(ctx?.ip, 64), userAgent: clip(ctx?.userAgent, 300) };
}
