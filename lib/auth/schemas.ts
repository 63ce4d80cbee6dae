import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/auth/password";
import { text } from "@/lib/text";

// Emails are stored and looked up lower-cased and trimmed, so "Ann@X.io" and "ann@x.io" are one account.
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const emailSchema = text({ error: "Enter your email." })
  .trim()
  .min(1, "Enter your email.")
  .max(254, "That email is too long.")
  .pipe(z.email({ error: "Enter a valid email address." }))
  .transform(normalizeEmail);

export const signInSchema = z.object({
  email: emailSchema,
  // No length rule beyond the maximum: a wrong password must not be told apart from a short one.
  password: text({ error: "Enter your password." }).min(1, "Enter your password.").max(PASSWORD_MAX),
});

export const signUpSchema = z.object({
  email: emailSchema,
  password: text({ error: "Choose a password." })
    .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
    .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`),
  name: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    text().trim().max(100, "Use at most 100 characters.").optional(),
  ),
});
