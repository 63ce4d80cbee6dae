"use server";

import { headers } from "next/headers";
import { redirect, unstable_rethrow } from "next/navigation";
import { AuthError, CredentialsSignin } from "next-auth";
import type { z } from "zod";
import type { AuthFormState, FieldName } from "@/app/_components/auth/form-state";
import { type SignUpResult, signUp } from "@/lib/account/sign-up";
import { currentUser, requireSameOrigin, signIn, signOut } from "@/lib/auth";
import { passwordProblem } from "@/lib/auth/password-policy";
import { CHECK_INBOX_PATH, SIGN_IN_PATH, SIGNED_UP_PATH, safeCallbackPath } from "@/lib/auth/paths";
import { oauthProviderInfo } from "@/lib/auth/providers";
import { signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { endSession } from "@/lib/auth/sessions";
import { clientIp } from "@/lib/client-ip";
import { env } from "@/lib/env";
import { isAppError, validationError } from "@/lib/errors";
import { consume, humanizeSeconds, limiter } from "@/lib/limits";
import { errorType, log } from "@/lib/log";
import { rememberInvite } from "@/lib/operator/invite-cookie";
import { inActionRequest } from "@/lib/request-id";

const WRONG_CREDENTIALS = "Wrong email or password.";

function throttledMessage(retryAfterSec: number): string {
  return `Too many attempts, try again in ${humanizeSeconds(retryAfterSec)}.`;
}

function fieldErrors(error: z.ZodError): Partial<Record<FieldName, string>> {
  const out: Partial<Record<FieldName, string>> = {};
  for (const issue of validationError(error).issues ?? []) out[issue.path as FieldName] ??= issue.message;
  return out;
}

const text = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v : "";
};

export async function signInAction(prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  await requireSameOrigin();
  // Under the request's id: next-auth's logger (lib/auth/logger.ts) writes it on its lines.
  return inActionRequest(() => signInWithPassword(prev, form));
}

async function signInWithPassword(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, "email") };
  const parsed = signInSchema.safeParse({ email: values.email, password: text(form, "password") });
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: safeCallbackPath(text(form, "callbackUrl")),
    });
  } catch (e) {
    if (e instanceof CredentialsSignin) {
      const m = /^throttled:(\d+)$/.exec(e.code);
      if (e.code === "disabled")
        return { error: "This account has been disabled by the operator of this instance.", values };
      if (e.code === "unverified")
        return {
          error: "Confirm your email first: open the link we mailed to this address.",
          unverified: true,
          values,
        };
      return { error: m ? throttledMessage(Number(m[1])) : WRONG_CREDENTIALS, values };
    }
    if (e instanceof AuthError) return { error: "Sign-in failed. Try again.", values };
    unstable_rethrow(e); // the redirect that signIn() throws on success
    throw e;
  }
  return {};
}

export async function signUpAction(prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  await requireSameOrigin();
  return inActionRequest(() => signUpAndSignIn(prev, form));
}

/**
 * Creates the account and sends the visitor to sign in (or, with SMTP_URL set, to "check your
 * inbox": lib/account/sign-up.ts). The answer never says whether the email was already
 * registered: a taken email gets the same redirect after the same work (the password is hashed
 * before the insert that fails), so sign-up cannot be used to find out who has an account. That
 * is why there is no automatic sign-in: it would tell the two apart.
 */
async function signUpAndSignIn(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, "email"), name: text(form, "name") };
  const parsed = signUpSchema.safeParse({ ...values, password: text(form, "password") });
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  const weak = passwordProblem(parsed.data.password, { email: parsed.data.email, name: parsed.data.name });
  if (weak) return { fieldErrors: { password: weak }, values };

  // Hashing is deliberately expensive; cap how many accounts one address can create.
  const perIp = env().RATE_LIMIT_SIGNUP_PER_15_MIN;
  limiter("signup-ip", { points: perIp, durationSec: 15 * 60 });
  const budget = await consume("signup-ip", clientIp(await headers()) ?? "unknown");
  if (!budget.ok) return { error: throttledMessage(budget.retryAfterSec), values };

  let result: SignUpResult;
  try {
    result = await signUp({ ...parsed.data, invite: text(form, "invite") || null });
  } catch (e) {
    if (isAppError(e) && e.code === "FORBIDDEN") return { error: e.message, values };
    log.error("auth.sign_up_failed", { error: errorType(e) });
    return { error: "Something went wrong on our side. Try again.", values };
  }
  redirect(result.status === "created" ? SIGNED_UP_PATH : CHECK_INBOX_PATH);
}

export async function oauthSignInAction(form: FormData): Promise<void> {
  await requireSameOrigin();
  const provider = text(form, "provider");
  if (!oauthProviderInfo().some((p) => p.id === provider)) redirect(SIGN_IN_PATH);
  await rememberInvite(form.get("invite"), env().appOrigin.startsWith("https:"));
  await signIn(provider, { redirectTo: safeCallbackPath(text(form, "callbackUrl")) });
}

export async function signOutAction(): Promise<void> {
  await requireSameOrigin();
  // next-auth's signOut event ends the Session row too (lib/auth/config.ts); ending it here first
  // does not depend on the cookie still decoding inside next-auth.
  const user = await currentUser();
  if (user) await endSession(user.id, user.sid);
  await signOut({ redirectTo: SIGN_IN_PATH });
}
