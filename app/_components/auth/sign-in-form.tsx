"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/auth/field";
import { initialAuthFormState } from "@/app/_components/auth/form-state";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";
import { signInAction } from "@/app/(auth)/actions";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
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
      <FormAlert message={state.error} />
      <SubmitButton pending={pending}>Sign in</SubmitButton>
    </form>
  );
}
