"use client";

import { LoaderCircle } from "lucide-react";
import { useState, useTransition } from "react";
import { Field } from "@/app/_components/auth/field";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";
import { changePasswordAction, type SessionActionResult } from "../session-actions";

// Change the password (current one required), or set a first one on an account made through
// OAuth. The server ends every other session on success.
export function PasswordSection({ hasPassword }: { hasPassword: boolean }) {
  const [result, setResult] = useState<SessionActionResult | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [pending, start] = useTransition();
  const fe = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    const next = String(data.get("next") ?? "");
    if (next !== String(data.get("repeat") ?? "")) {
      setMismatch(true);
      setResult(null);
      return;
    }
    setMismatch(false);
    start(async () => {
      const res = await changePasswordAction({
        ...(hasPassword ? { current: String(data.get("current") ?? "") } : {}),
        next,
      });
      setResult(res);
      if (res.ok) form.reset();
    });
  }

  const formError = result && !result.ok && !fe.current && !fe.next ? result.message : undefined;
  return (
    <section aria-labelledby="password-title" className={card}>
      <h2 id="password-title" className="text-base font-semibold">
        {hasPassword ? "Change password" : "Set a password"}
      </h2>
      <p className="mt-1 text-sm text-muted-foreground">
        {hasPassword
          ? "Every other device signed in to your account is signed out when you save."
          : "Your account was created through a sign-in provider. A password lets you also sign in with your email. Every other device is signed out when you save."}
      </p>
      <form
        className="mt-4 max-w-sm space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit(e.currentTarget);
        }}
      >
        {hasPassword ? (
          <Field
            name="current"
            id="password-current"
            label="Current password"
            type="password"
            autoComplete="current-password"
            required
            error={fe.current}
          />
        ) : null}
        <Field
          name="next"
          id="password-next"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 8 characters, not a common password, not your email or name."
          error={fe.next}
        />
        <Field
          name="repeat"
          id="password-repeat"
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          required
          error={mismatch ? "The two new passwords differ." : undefined}
        />
        {formError ? (
          <p role="alert" className="text-sm text-destructive">
            {formError}
          </p>
        ) : null}
        {result?.ok ? (
          <p role="status" className="text-sm text-foreground">
            {result.message}
          </p>
        ) : null}
        <button type="submit" disabled={pending} className={`${button.base} ${button.primary}`}>
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
          {hasPassword ? "Change password" : "Set password"}
        </button>
      </form>
    </section>
  );
}
