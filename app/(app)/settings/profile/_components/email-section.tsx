"use client";

import { LoaderCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useRef, useState, useTransition } from "react";
import { toast } from "sonner";
import { Field } from "@/app/_components/auth/field";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";
import { changeEmailAction } from "../actions";
import { IdentityField, identityFieldId } from "./identity-field";

type Props = {
  email: string;
  hasPassword: boolean;
  /** SMTP_URL is set: the change waits for the link mailed to the new address. */
  confirmsByMail: boolean;
  pendingEmail: string | null;
};

const FIELD_IDS: Record<string, string> = {
  newEmail: "profile-new-email",
  password: identityFieldId("profile-email", true),
  confirmEmail: identityFieldId("profile-email", false),
};

/** Email change: re-authenticated by the password, or by typing the current email (OAuth-only). */
export function EmailSection({ email, hasPassword, confirmsByMail, pendingEmail }: Props) {
  const [newEmail, setNewEmail] = useState("");
  const [proof, setProof] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(
    pendingEmail
      ? `A confirmation link was sent to ${pendingEmail}. Your email changes when you open it.`
      : null,
  );
  const [pending, startTransition] = useTransition();
  const statusRef = useRef<HTMLParagraphElement>(null);
  // Bumped on each success: once the new status is on screen, focus moves to it.
  const [announced, setAnnounced] = useState(0);
  useEffect(() => {
    if (announced) statusRef.current?.focus();
  }, [announced]);
  const router = useRouter();
  const proofField = hasPassword ? "password" : "confirmEmail";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    startTransition(async () => {
      try {
        const r = await changeEmailAction({ newEmail, [proofField]: proof });
        if (r.ok) {
          setErrors({});
          setNewEmail("");
          setProof("");
          setStatus(
            r.status === "pending"
              ? `We sent a link to ${r.email}. Your email changes when you open it while signed in.`
              : `Your email is now ${r.email}.`,
          );
          setAnnounced((n) => n + 1);
          router.refresh();
        } else {
          const next = r.fieldErrors ?? { form: r.message };
          setErrors(next);
          const first = Object.keys(next).find((k) => FIELD_IDS[k]);
          if (first) document.getElementById(FIELD_IDS[first] as string)?.focus();
          else toast.error(r.message);
        }
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  };

  return (
    <section aria-labelledby="email-title" className={card}>
      <h2 id="email-title" className="text-base font-semibold">
        Email
      </h2>
      <p className="mt-1 text-sm text-muted-foreground">
        You sign in with <strong className="font-medium text-foreground">{email}</strong>.
        {confirmsByMail ? " A new address is used once you open the link we mail to it." : null}
      </p>
      {status ? (
        <p
          ref={statusRef}
          tabIndex={-1}
          role="status"
          className="mt-3 rounded-lg bg-muted px-3 py-2 text-sm outline-none"
        >
          {status}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate className="mt-3 space-y-3">
        <Field
          name="newEmail"
          id={FIELD_IDS.newEmail}
          label="New email"
          type="email"
          autoComplete="email"
          value={newEmail}
          onChange={(e) => setNewEmail(e.target.value)}
          error={errors.newEmail}
        />
        <IdentityField
          hasPassword={hasPassword}
          idPrefix="profile-email"
          passwordLabel="Current password"
          emailLabel="Type your current email to confirm"
          value={proof}
          onChange={setProof}
          errors={errors}
          hint="Your account has no password (you signed up with GitHub or Google)."
        />
        {errors.form ? (
          <p role="alert" className="text-sm text-destructive">
            {errors.form}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={pending}
          aria-busy={pending || undefined}
          className={`${button.base} ${button.primary}`}
        >
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
          Change email
        </button>
      </form>
    </section>
  );
}
