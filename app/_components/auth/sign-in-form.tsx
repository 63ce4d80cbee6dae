"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field } from "@/app/_components/auth/field";
import { initialAuthFormState } from "@/app/_components/auth/form-state";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";
import { signInAction } from "@/app/(auth)/actions";
import { FORGOT_PASSWORD_PATH } from "@/lib/auth/paths";

/** `mailLinks`: SMTP_URL is set, so "Forgot password?" can mail a reset link. */
export function SignInForm({ callbackUrl, mailLinks }: { callbackUrl: string; mailLinks: boolean }) {
  const [state, action, pending] = useActionState(signInAction, initialAuthFormState);
  const fe = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        autoFocus
        defaultValue={state.values?.email}
        error={fe.email}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        maxLength={128}
        error={fe.password}
      />
      {mailLinks ? (
        <p className="-mt-2 text-right text-sm">
          <Link href={FORGOT_PASSWORD_PATH} className="text-primary underline-offset-4 hover:underline">
            Forgot password?
          </Link>
        </p>
      ) : null}
      <FormAlert message={state.error} />
      {state.unverified ? (
        <p className="text-sm">
          <Link href="/verify-email" className="font-medium text-primary underline-offset-4 hover:underline">
            Send the confirmation link again
          </Link>
        </p>
      ) : null}
      <SubmitButton pending={pending}>Sign in</SubmitButton>
    </form>
  );
}
