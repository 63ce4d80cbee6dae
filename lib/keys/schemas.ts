import { z } from "zod";
import { PROVIDER_IDS } from "@/lib/ai";
import { AppError } from "@/lib/errors";

// Input shapes shared by the server actions and the REST routes, so both refuse the same things.

export const providerSchema = z.enum(PROVIDER_IDS);

/**
 * A key goes into an Authorization header: printable ASCII only, no spaces (a pasted key with a
 * newline or a zero-width space is the commonest "invalid key" that is not the provider's fault).
 */
export const apiKeySchema = z
  .string({ error: "Enter an API key." })
  .trim()
  .min(1, "Enter an API key.")
  .max(512, "That is too long to be an API key.")
  .regex(/^[\x21-\x7e]+$/, "The API key contains spaces or characters an API key never has.");

export const baseUrlSchema = z
  .string()
  .trim()
  .min(1, "Enter a base URL.")
  .max(2048, "The base URL is too long.");

export const labelSchema = z
  .string()
  .trim()
  .min(1, "Enter a name.")
  .max(60, "Use at most 60 characters.")
  .regex(/^[^\p{Cc}]+$/u, "The name contains control characters.");

export const saveKeySchema = z.strictObject({
  apiKey: apiKeySchema,
  baseUrl: baseUrlSchema.optional(),
  label: labelSchema.optional(),
  enabled: z.boolean().optional(),
});
export type SaveKeyInput = z.infer<typeof saveKeySchema>;

/** Test the stored key (empty) or a typed key that is not saved. */
export const testKeySchema = z.strictObject({
  apiKey: apiKeySchema.optional(),
  baseUrl: baseUrlSchema.optional(),
});
export type TestKeyInput = z.infer<typeof testKeySchema>;

export const toggleKeySchema = z.strictObject({ enabled: z.boolean() });

export const defaultsSchema = z.strictObject({
  provider: providerSchema,
  model: z
    .string()
    .trim()
    .min(1, "Choose a model.")
    .max(200, "The model name is too long.")
    .regex(/^[\w.:/@+-]+$/, "The model name contains characters a model id never has."),
});
export type DefaultsInput = z.infer<typeof defaultsSchema>;

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

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

/** Parses with a schema; failure → AppError VALIDATION_FAILED listing each field's problem. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return throwValidation(issues);
}

function throwValidation(issues: { path: string; message: string }[]): never {
  throw new AppError("VALIDATION_FAILED", issues[0]?.message, { issues });
}

export function validationFailed(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path, message }] });
}
