"use server";

import { requireSameOrigin } from "@/lib/auth";
import { signUpSchema } from "@/lib/auth/schemas";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { resetPassword } from "@/lib/operator/reset";

// Public by design (the (auth) group): the single-use token in the form is the authorisation.

export type ResetState = { error?: string; done?: boolean };

export async function resetPasswordAction(_prev: ResetState, form: FormData): Promise<ResetState> {
  await requireSameOrigin();
  if (!(form instanceof FormData)) return { error: "Some input was not valid." };
  const password = form.get("password");
  const parsed = signUpSchema.shape.password.safeParse(password);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Choose another password." };
  if (form.get("confirm") !== password) return { error: "The two passwords differ." };
  try {
    await resetPassword(form.get("token"), parsed.data);
    return { done: true };
  } catch (e) {
    if (isAppError(e)) return { error: e.message };
    log.error("auth.password_reset_failed", { error: e });
    return { error: "Something went wrong on our side. Try again." };
  }
}
