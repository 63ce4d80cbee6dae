import { LoaderCircle } from "lucide-react";
import type { ReactNode } from "react";

// The label stays the same while pending so the button keeps its accessible name.
export function SubmitButton({ pending, children }: { pending: boolean; children: ReactNode }) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending || undefined}
      className="relative inline-flex h-10 w-full items-center justify-center gap-2 rounded-lg bg-primary px-4 text-[15px] font-medium text-primary-foreground shadow-sm transition-[opacity,filter] hover:brightness-110 disabled:cursor-wait disabled:opacity-80"
    >
      {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
      {children}
    </button>
  );
}

export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p
      role="alert"
      className="rounded-lg border border-destructive/30 bg-destructive-soft px-3 py-2.5 text-sm text-destructive"
    >
      {message}
    </p>
  );
}
