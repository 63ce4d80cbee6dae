"use client";

import { useActionState } from "react";
import { FormAlert, SubmitButton } from "@/app/_components/auth/submit-button";
import { type ConfirmState, confirmEmailAction } from "./actions";

// A button, not a bare GET: mail scanners that open links must not spend the single-use token.
export function ConfirmForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(confirmEmailAction, {} as ConfirmState);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <FormAlert message={state.error} />
      <SubmitButton pending={pending}>Confirm my email</SubmitButton>
    </form>
  );
}
