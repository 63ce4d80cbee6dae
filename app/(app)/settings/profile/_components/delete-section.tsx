"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Field } from "@/app/_components/auth/field";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";
import { DELETE_CONFIRMATION } from "@/lib/account/constants";
import { deleteAccountAction } from "../actions";
import { IdentityField, identityFieldId } from "./identity-field";

const FIELD_IDS: Record<string, string> = {
  password: identityFieldId("delete", true),
  confirmEmail: identityFieldId("delete", false),
  confirmation: "delete-confirmation",
};

/** Delete my account: password (or the typed email of an OAuth-only account) + typing DELETE. */
export function DeleteSection({ hasPassword }: { hasPassword: boolean }) {
  const [open, setOpen] = useState(false);
  const [proof, setProof] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const proofField = hasPassword ? "password" : "confirmEmail";

  const close = () => {
    setOpen(false);
    setProof("");
    setConfirmation("");
    setErrors({});
  };

  const confirm = () => {
    startTransition(async () => {
      try {
        // On success the action signs out and the browser goes to the sign-in page.
        const r = await deleteAccountAction({ [proofField]: proof, confirmation });
        const next = r.fieldErrors ?? { form: r.message };
        setErrors(next);
        const first = Object.keys(next).find((k) => FIELD_IDS[k]);
        document
          .getElementById(first ? (FIELD_IDS[first] as string) : (FIELD_IDS[proofField] as string))
          ?.focus();
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  };

  return (
    <section aria-labelledby="delete-title" className={`${card} border-destructive/30`}>
      <h2 id="delete-title" className="text-base font-semibold">
        Delete my account
      </h2>
      <p className="mt-1 text-sm text-muted-foreground">
        Removes your keys, chats, messages, usage and activity log for good, and signs you out. Download your
        data first if you want to keep it.
      </p>
      <button type="button" onClick={() => setOpen(true)} className={`${button.base} ${button.danger} mt-3`}>
        Delete my account…
      </button>
      <ConfirmDialog
        open={open}
        title="Delete your account?"
        confirmLabel="Delete account"
        pending={pending}
        onConfirm={confirm}
        onClose={close}
      >
        <p>This cannot be undone. Everything stored for your account is removed.</p>
        <div className="space-y-3 pt-1 text-foreground">
          <IdentityField
            hasPassword={hasPassword}
            idPrefix="delete"
            passwordLabel="Your password"
            emailLabel="Type your email"
            value={proof}
            onChange={setProof}
            errors={errors}
          />
          <Field
            name="confirmation"
            id={FIELD_IDS.confirmation}
            label={`Type ${DELETE_CONFIRMATION} to confirm`}
            autoComplete="off"
            spellCheck={false}
            value={confirmation}
            onChange={(e) => setConfirmation(e.target.value)}
            error={errors.confirmation}
          />
          {errors.form ? (
            <p role="alert" className="text-sm text-destructive">
              {errors.form}
            </p>
          ) : null}
        </div>
      </ConfirmDialog>
    </section>
  );
}
