import { z } from "zod";
import { PROVIDER_IDS } from "@/lib/ai/registry";
import { text } from "@/lib/text";
import { TOKEN_EXPIRY_DAYS } from "./limits";

// What a user may set on a new token. Shared by the server action and the unit tests, so the
// form and the library refuse the same things.

/** `provider/model` as /v1 names models (the provider's own id may contain more slashes). */
export const scopedModelSchema = text()
  .trim()
  .min(3)
  .max(200)
  .regex(/^[a-z]+\/[\w.:/@+-]+$/, "Write models as provider/model, e.g. groq/llama-3.3-70b-versatile.")
  .refine((m) => (PROVIDER_IDS as readonly string[]).includes(m.split("/")[0] ?? ""), {
    message: "Start each model with a provider: openai/, groq/, google/ or compatible/.",
  });

export const createTokenSchema = z.strictObject({
  name: text({ error: "Name the token." })
    .trim()
    .min(1, "Name the token.")
    .max(60, "Use at most 60 characters.")
    .regex(/^[^\p{Cc}]+$/u, "The name contains control characters."),
  /** Read-only: GET /v1/models only, never a completion (no spending). */
  readOnly: z.boolean().default(false),
  /** Empty: every provider. */
  providers: z.array(z.enum(PROVIDER_IDS)).max(PROVIDER_IDS.length).default([]),
  /** Empty: every model of the allowed providers. */
  models: z.array(scopedModelSchema).max(50, "List at most 50 models.").default([]),
  /** null: never expires. */
  expiresInDays: z
    .number()
    .int()
    .refine(
      (d) => (TOKEN_EXPIRY_DAYS as readonly number[]).includes(d),
      "Choose one of the offered expiries.",
    )
    .nullable()
    .default(null),
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;

export const revokeTokenSchema = z.strictObject({ id: text().trim().min(1).max(64) });
