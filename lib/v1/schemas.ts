import type { ModelMessage } from "ai";
import { z } from "zod";
import { isKnownModel, isProviderId, type ProviderId } from "@/lib/ai/registry";
import { AppError } from "@/lib/errors";
import { text } from "@/lib/text";

// The request body of POST /v1/chat/completions, in OpenAI's format. Loose on purpose: the
// OpenAI SDKs and the tools built on them send parameters we do not use (temperature, user,
// seed…) and would break on a strict schema; what we cannot honour (several choices, tools,
// images) is refused with a 400 rather than silently dropped.

const textPart = z.looseObject({ type: z.literal("text"), text: text() });
const content = z.union([text(), z.array(z.looseObject({ type: text() })), z.null()]);

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: content.optional(),
});

export const MAX_V1_BODY_BYTES = 1024 * 1024;

export const completionRequestSchema = z.looseObject({
  model: text({ error: "Name a model as provider/model." }).trim().min(1).max(240),
  messages: z.array(message).min(1, "Send at least one message.").max(1000, "Send at most 1000 messages."),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().positive().max(1_000_000).nullish(),
  n: z.literal(1, { error: "Only n=1 is supported." }).nullish(),
  tools: z.array(z.unknown()).max(0, "Tools are not supported.").nullish(),
  functions: z.array(z.unknown()).max(0, "Functions are not supported.").nullish(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

const ENDPOINT_PREFIX = "compatible:";

/**
 * `provider/model`, the provider's own id keeping any further slashes (groq/openai/gpt-oss-20b).
 * `compatible:<endpoint name>/<model>` names one of the user's OpenAI-compatible endpoints
 * (lib/keys/endpoints.ts); `compatible/<model>` is the first one.
 */
export function parseModelId(id: string): { provider: ProviderId; model: string; endpoint?: string } {
  if (id.startsWith(ENDPOINT_PREFIX)) {
    const rest = id.slice(ENDPOINT_PREFIX.length);
    const slash = rest.indexOf("/");
    const endpoint = slash > 0 ? rest.slice(0, slash).trim() : "";
    const model = slash > 0 ? rest.slice(slash + 1) : "";
    if (!endpoint || !model || !isKnownModel("compatible", model)) throw unknownModel();
    return { provider: "compatible", model, endpoint };
  }
  const slash = id.indexOf("/");
  const provider = slash > 0 ? id.slice(0, slash) : "";
  const model = slash > 0 ? id.slice(slash + 1) : "";
  if (!isProviderId(provider) || !model || !isKnownModel(provider, model)) throw unknownModel();
  return { provider, model };
}

/** An unknown model, provider or endpoint (another user's endpoint names are unknown ones). */
export function unknownModel(): AppError {
  return new AppError(
    "NOT_FOUND",
    // Not echoed: whatever was pasted into the field (a key, a token) stays out of the answer.
    "That model does not exist here. GET /v1/models lists the ones you can use, as provider/model.",
  );
}

function textOf(c: z.infer<typeof content> | undefined, at: number): string {
  if (c === null || c === undefined) return "";
  if (typeof c === "string") return c;
  return c
    .map((part, i) => {
      const p = textPart.safeParse(part);
      if (!p.success) {
        throw new AppError("VALIDATION_FAILED", "Only text content is supported.", {
          issues: [{ path: `messages.${at}.content.${i}`, message: "Only text content is supported." }],
        });
      }
      return p.data.text;
    })
    .join("");
}

/** OpenAI messages → the plain-text turns the chat path sends (lib/chat/open-stream.ts toPrompt). */
export function toModelMessages(messages: CompletionRequest["messages"]): ModelMessage[] {
  return messages.map((m, i): ModelMessage => {
    const text = textOf(m.content, i);
    if (m.role === "system" || m.role === "developer") return { role: "system", content: text };
    if (m.role === "user") return { role: "user", content: text };
    if (m.role === "assistant") return { role: "assistant", content: text };
    throw new AppError("VALIDATION_FAILED", "Tool messages are not supported.", {
      issues: [{ path: `messages.${i}.role`, message: "Tool messages are not supported." }],
    });
  });
}
