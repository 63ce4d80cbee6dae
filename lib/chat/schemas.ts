import { z } from "zod";
import {
  MODEL_ID_PATTERN,
  maxOutputCap,
  PROVIDER_IDS,
  type ProviderId,
  UNLISTED_MAX_OUTPUT_TOKENS,
} from "@/lib/ai/registry";
import { KEY_ID_PATTERN } from "@/lib/keys/order";
import { text } from "@/lib/text";
import { SYSTEM_PROMPT_MAX_CHARS, temperatureRange } from "./params";
import { CLIENT_ID_PATTERN } from "./types";

// Request bodies of the chat API. The message text limit comes from the environment, so the
// schema is built once per limit and memoised.

const clientId = text().regex(CLIENT_ID_PATTERN, "Invalid id.");

/** Instructions (default or per chat): kept as typed; only whitespace-only becomes empty. */
export const systemPromptSchema = text()
  .max(SYSTEM_PROMPT_MAX_CHARS, `Instructions have at most ${SYSTEM_PROMPT_MAX_CHARS} characters.`)
  .transform((t) => (t.trim() ? t : ""));

/**
 * A chat's own settings (lib/chat/params.ts). Every field is required: the browser sends the
 * chat's whole settings, null for "not set". Ranges that depend on the provider and the model
 * are checked by chatSettingsFor.
 */
export const chatSettingsSchema = z.strictObject({
  systemPrompt: systemPromptSchema.nullable(),
  temperature: z.number().finite().nullable(),
  maxOutputTokens: z.number().int("Max output is a whole number of tokens.").nullable(),
});

/** Adds the provider's temperature range and the model's output limit to a settings check. */
function checkSettingsFor(
  ctx: z.core.$RefinementCtx,
  settings: z.infer<typeof chatSettingsSchema>,
  provider: ProviderId,
  /** The model's output limit; a turn passes none (it caps the chat's setting to its model). */
  model: string | null,
) {
  const range = temperatureRange(provider);
  const t = settings.temperature;
  if (t !== null && (t < range.min || t > range.max)) {
    ctx.addIssue({
      code: "custom",
      path: ["settings", "temperature"],
      message: `Temperature is between ${range.min} and ${range.max} for this provider.`,
    });
  }
  const cap = model === null ? UNLISTED_MAX_OUTPUT_TOKENS : maxOutputCap(provider, model);
  const m = settings.maxOutputTokens;
  if (m !== null && (m < 1 || m > cap)) {
    ctx.addIssue({
      code: "custom",
      path: ["settings", "maxOutputTokens"],
      message: `Max output is between 1 and ${cap.toLocaleString("en-US")} tokens${model === null ? "" : " for this model"}.`,
    });
  }
}

/** PATCH /api/chats/[id]/settings: the settings with the provider and model they are for. */
export const chatSettingsUpdateSchema = z
  .strictObject({
    settings: chatSettingsSchema,
    provider: z.enum(PROVIDER_IDS),
    model: text().trim().min(1, "Choose a model.").max(200),
  })
  .superRefine((b, ctx) => checkSettingsFor(ctx, b.settings, b.provider, b.model));

const chatSchemas = new Map<number, ReturnType<typeof buildChatRequestSchema>>();

/** The chat body schema for a message limit, built once (the chat route is the hot path). */
export function chatRequestSchema(maxChars: number) {
  let schema = chatSchemas.get(maxChars);
  if (!schema) {
    schema = buildChatRequestSchema(maxChars);
    chatSchemas.set(maxChars, schema);
  }
  return schema;
}

function buildChatRequestSchema(maxChars: number) {
  return (
    z
      .object({
        id: clientId,
        message: z.strictObject({
          id: clientId,
          text: text()
            .max(maxChars, `A message has at most ${maxChars} characters.`)
            .refine((t) => t.trim().length > 0, "Type a message."),
        }),
        provider: z.enum(PROVIDER_IDS),
        model: text().trim().min(1, "Choose a model.").max(200),
        regenerate: z.boolean().optional(),
        // The answer the new message follows (null: it is the chat's first message). An edit is
        // a new message with the edited one's parent; absent: the chat's latest answer.
        parentId: clientId.nullable().optional(),
        // Instead of parentId: the message this one is an edited version of (its parent's).
        editOf: clientId.optional(),
        // One per send, regenerate and retry: a duplicate request is answered from the first one's.
        answerId: clientId.optional(),
        /** The chat's settings as the browser shows them; stored with the chat when they changed. */
        settings: chatSettingsSchema.optional(),
        /**
         * OpenAI-compatible: one of the user's endpoints, by the id of any of its keys (the
         * picker's selection); absent: the first endpoint. Another user's id is an unknown one.
         */
        keyId: text().regex(KEY_ID_PATTERN, "Unknown endpoint.").optional(),
      })
      // Well-formed only: whether the model is offered (our registry, or the list the provider
      // gave for the user's key) is checked server-side by the turn (lib/chat/model-check.ts).
      .refine((b) => MODEL_ID_PATTERN.test(b.model), {
        path: ["model"],
        message: "This model is not offered for the chosen provider.",
      })
      .refine((b) => b.keyId === undefined || b.provider === "compatible", {
        path: ["keyId"],
        message: "Only an OpenAI-compatible chat names an endpoint.",
      })
      .refine((b) => !(b.editOf && b.parentId !== undefined), {
        path: ["editOf"],
        message: "Send parentId or editOf, not both.",
      })
      .superRefine((b, ctx) => {
        // Not the model's own limit: a chat keeps its setting across a model switch, and the turn
        // sends at most what the model takes (resolveParams).
        if (b.settings) checkSettingsFor(ctx, b.settings, b.provider, null);
      })
  );
}

/** A title is stored as one line: runs of whitespace (newlines included) become one space. */
export const renameSchema = z.object({
  title: text()
    .transform((t) => t.replace(/\s+/g, " ").trim())
    .pipe(text().min(1, "Enter a title.").max(120, "A title has at most 120 characters.")),
});

export const listQuerySchema = z.object({
  cursor: text().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: text().max(200).optional(),
});

export const messagesQuerySchema = z
  .object({
    before: clientId.optional(),
    /** A version the user switched to: it and the branch below it. */
    from: clientId.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
  })
  .refine((q) => !(q.before && q.from), { path: ["from"], message: "Use before or from, not both." });

export const chatIdSchema = clientId;
