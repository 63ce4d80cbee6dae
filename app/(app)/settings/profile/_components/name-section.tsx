"use client";

import { LoaderCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { toast } from "sonner";
import { Field } from "@/app/_components/auth/field";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";
import { NAME_MAX } from "@/lib/account/constants";
import { updateNameAction } from "../actions";

/** Display name: shown in the account menu. Empty clears it (the menu then shows the email). */
export function NameSection({ name: initial }: { name: string | null }) {
  const [name, setName] = useState(initial ?? "");
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const router = useRouter();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    startTransition(async () => {
      try {
        const r = await updateNameAction({ name });
        if (r.ok) {
          setError(undefined);
          setName(r.name ?? "");
          toast.success(r.name ? "Name saved." : "Name removed.");
          router.refresh();
        } else {
          setError(r.fieldErrors?.name ?? r.message);
          document.getElementById("profile-name")?.focus();
        }
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  };

  return (
    <section aria-labelledby="name-title" className={card}>
      <h2 id="name-title" className="text-base font-semibold">
        Display name
      </h2>
      <form onSubmit={submit} noValidate className="mt-3 grid gap-3 sm:grid-cols-[1fr_auto] sm:items-start">
        <Field
          name="name"
          id="profile-name"
          label="Name"
          value={name}
          maxLength={NAME_MAX}
          autoComplete="name"
          onChange={(e) => setName(e.target.value)}
          error={error}
          hint="Shown in the account menu. Leave empty to show your email instead."
        />
        <button
          type="submit"
          disabled={pending}
          aria-busy={pending || undefined}
          className={`${button.base} ${button.primary} h-10 sm:mt-[1.625rem]`}
        >
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
          Save name
        </button>
      </form>
    </section>
  );
}
