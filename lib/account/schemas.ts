import { z } from "zod";
import { PASSWORD_MAX } from "@/lib/auth/password";
import { emailSchema } from "@/lib/auth/schemas";
import { text } from "@/lib/text";
import { TOKEN_PATTERN } from "@/lib/tokens";
import { DELETE_CONFIRMATION, NAME_MAX } from "./constants";

// The profile forms' input, validated once at the action boundary.

export { DELETE_CONFIRMATION, NAME_MAX };

export const displayNameSchema = text({ error: "Enter a name." })
  .transform((s) => s.normalize("NFC").trim().replace(/\s+/g, " "))
  .pipe(
    text()
      .max(NAME_MAX, `Use at most ${NAME_MAX} characters.`)
      // Control characters and invisible formatting would make the name unreadable in the menu.
      .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), "Use letters, digits, spaces and punctuation only."),
  );

/**
 * Proof that the person at the keyboard owns the account: the password, or (an account made
 * through OAuth has none) the account's email typed out.
 */
const identity = {
  password: text().max(PASSWORD_MAX).optional(),
  confirmEmail: text().max(254).optional(),
};

export const nameInput = z.strictObject({ name: displayNameSchema });
export const emailChangeInput = z.strictObject({ newEmail: emailSchema, ...identity });
export const confirmEmailInput = z.strictObject({
  token: text().regex(TOKEN_PATTERN, "This link is not valid."),
});
export const deleteInput = z.strictObject({
  ...identity,
  confirmation: z.literal(DELETE_CONFIRMATION, { error: `Type ${DELETE_CONFIRMATION} to confirm.` }),
});

export type Identity = { password?: string | undefined; confirmEmail?: string | undefined };
