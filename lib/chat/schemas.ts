import { z } from "zod";
import { isKnownModel, PROVIDER_IDS } from "@/lib/ai/registry";
import { text } from "@/lib/text";
import { CLIENT_ID_PATTERN } from "./types";

// Request bodies of the chat API. The message text limit comes from the environment, so the
// schema is built once per limit and memoised.

const clientId = text().regex(CLIENT_ID_PATTERN, "Invalid id.");

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
  return z
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
      // One per send, regenerate and retry: a duplicate request is answered from the first one's.
      answerId: clientId.optional(),
    })
    .refine((b) => isKnownModel(b.provider, b.model), {
      path: ["model"],
      message: "This model is not offered for the chosen provider.",
    });
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

export const messagesQuerySchema = z.object({
  before: clientId.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const chatIdSchema = clientId;
