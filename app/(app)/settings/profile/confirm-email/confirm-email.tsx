"use client";

import { LoaderCircle } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState, useTransition } from "react";
import { button, link } from "@/app/(app)/settings/ai/_components/styles";
import { confirmEmailAction } from "../actions";

export function ConfirmEmail({ token }: { token: string }) {
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const status = useRef<HTMLParagraphElement>(null);
  // Once a result is on screen, focus moves to it.
  useEffect(() => {
    if (result) status.current?.focus();
  }, [result]);

  const confirm = () =>
    startTransition(async () => {
      try {
        const r = await confirmEmailAction({ token });
        setResult(
          r.ok ? { ok: true, text: `Your email is now ${r.email}.` } : { ok: false, text: r.message },
        );
      } catch {
        setResult({ ok: false, text: "The server could not be reached. Try again." });
      }
    });

  return (
    <div className="space-y-4">
      {result ? (
        <p
          ref={status}
          tabIndex={-1}
          role={result.ok ? "status" : "alert"}
          className={`rounded-lg px-3 py-2 text-sm outline-none ${result.ok ? "bg-muted" : "bg-destructive-soft text-destructive"}`}
        >
          {result.text}
        </p>
      ) : (
        <p className="text-[15px] text-muted-foreground">
          Use the address this link was sent to for your account?
        </p>
      )}
      {result?.ok ? null : (
        <button
          type="button"
          onClick={confirm}
          disabled={pending}
          aria-busy={pending || undefined}
          className={`${button.base} ${button.primary}`}
        >
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
          Confirm new email
        </button>
      )}
      <p>
        <Link href="/settings/profile" className={link}>
          Back to your profile
        </Link>
      </p>
    </div>
  );
}
