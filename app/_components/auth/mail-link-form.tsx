"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/auth/field";
import type { MailLinkState } from "@/app/_components/auth/form-state";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";

type Props = {
  action: (prev: MailLinkState, form: FormData) => Promise<MailLinkState>;
  submitLabel: string;
  /** What was sent, said the same way whether or not the address has an account. */
  sentMessage: string;
  defaultEmail?: string;
};

export function MailLinkForm({ action: serverAction, submitLabel, sentMessage, defaultEmail }: Props) {
  const [state, action, pending] = useActionState(serverAction, {} as MailLinkState);
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        defaultValue={state.email ?? defaultEmail}
      />
      {state.sent && state.email ? (
        <p
          role="status"
          data-testid="mail-link-sent"
          className="rounded-md border bg-muted/40 px-3 py-2 text-sm"
        >
          {sentMessage}
        </p>
      ) : null}
      <FormAlert message={state.error} />
      <SubmitButton pending={pending}>{submitLabel}</SubmitButton>
    </form>
  );
}
