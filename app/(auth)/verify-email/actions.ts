"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { MailLinkState } from "@/app/_components/auth/form-state";
import { confirmSignUpEmail, resendVerification } from "@/lib/account/sign-up";
import { requireSameOrigin } from "@/lib/auth";
import { emailSchema } from "@/lib/auth/schemas";
import { clientIp } from "@/lib/client-ip";
import { humanizeSeconds } from "@/lib/limits";

// Public by design (the (auth) group): the single-use token in the form is the authorisation of
// the confirmation; the resend answers the same for every address (lib/account/sign-up.ts).

export type ConfirmState = { error?: string };

export async function confirmEmailAction(_prev: ConfirmState, form: FormData): Promise<ConfirmState> {
  await requireSameOrigin();
  if (!(form instanceof FormData)) return { error: "Some input was not valid." };
  const res = await confirmSignUpEmail(form.get("token"));
  if (!res.ok) return { error: "This link is not valid any more: ask for a new one below." };
  redirect("/sign-in?notice=verified");
}

export async function resendVerificationAction(_prev: MailLinkState, form: FormData): Promise<MailLinkState> {
  await requireSameOrigin();
  if (!(form instanceof FormData)) return { error: "Some input was not valid." };
  const parsed = emailSchema.safeParse(form.get("email"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Enter your email." };
  const res = await resendVerification(parsed.data, clientIp(await headers()));
  if (!res.ok) return { error: `Too many requests, try again in ${humanizeSeconds(res.retryAfterSec)}.` };
  return { sent: true, email: parsed.data };
}
