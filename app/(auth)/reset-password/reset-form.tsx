"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, NewPasswordField } from "@/app/_components/auth/field";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";
import { type ResetState, resetPasswordAction } from "./actions";

export function ResetForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, {} as ResetState);
  if (state.done) {
    return (
      <p role="status" className="text-sm">
        Your password was changed.{" "}
        <Link href="/sign-in" className="font-medium text-primary-ink underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    );
  }
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <NewPasswordField label="New password" />
      <Field name="confirm" label="Repeat it" type="password" autoComplete="new-password" required />
      <FormAlert message={state.error} />
      <SubmitButton pending={pending}>Set new password</SubmitButton>
    </form>
  );
}
