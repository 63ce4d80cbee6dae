"use client";

import { useActionState } from "react";
import { Field, NewPasswordField } from "@/app/_components/auth/field";
import { initialAuthFormState } from "@/app/_components/auth/form-state";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";
import { signUpAction } from "@/app/(auth)/actions";

export function SignUpForm({ invite }: { invite?: string }) {
  const [state, action, pending] = useActionState(signUpAction, initialAuthFormState);
  const fe = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      {invite ? <input type="hidden" name="invite" value={invite} /> : null}
      <Field
        name="name"
        label="Name"
        autoComplete="name"
        maxLength={100}
        hint="Optional"
        defaultValue={state.values?.name}
        error={fe.name}
      />
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        defaultValue={state.values?.email}
        error={fe.email}
      />
      <NewPasswordField error={fe.password} />
      <FormAlert message={state.error} />
      <SubmitButton pending={pending}>Create account</SubmitButton>
    </form>
  );
}
