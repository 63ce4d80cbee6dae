"use server";

import { headers } from "next/headers";
import type { MailLinkState } from "@/app/_components/auth/form-state";
import { requestPasswordReset } from "@/lib/account/forgot-password";
import { requireSameOrigin } from "@/lib/auth";
import { emailSchema } from "@/lib/auth/schemas";
import { clientIp } from "@/lib/client-ip";
import { humanizeSeconds } from "@/lib/limits";

// Public by design (the (auth) group): asks for a mailed reset link. The answer is the same for
// every address (lib/account/forgot-password.ts).

export async function forgotPasswordAction(_prev: MailLinkState, form: FormData): Promise<MailLinkState> {
  await requireSameOrigin();
  if (!(form instanceof FormData)) return { error: "Some input was not valid." };
  const parsed = emailSchema.safeParse(form.get("email"));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Enter your email." };
  const res = await requestPasswordReset(parsed.data, clientIp(await headers()));
  if (!res.ok) return { error: `Too many requests, try again in ${humanizeSeconds(res.retryAfterSec)}.` };
  return { sent: true, email: parsed.data };
}
