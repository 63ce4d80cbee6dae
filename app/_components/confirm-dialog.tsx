"use client";

import { LoaderCircle, Trash2 } from "lucide-react";
import { type ReactNode, useEffect, useId, useRef } from "react";

type Props = {
  open: boolean;
  title: ReactNode;
  children: ReactNode;
  /** Label of the destructive button, e.g. "Delete" or "Remove key". */
  confirmLabel: string;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
};

const base = "inline-flex h-9 items-center gap-2 rounded-lg px-3.5 text-sm font-medium disabled:opacity-60";

// Native <dialog> as a modal: focus is trapped and restored, Escape closes, the page behind is
// inert. While the action runs, neither Escape nor Cancel can close it.
export function ConfirmDialog({ open, title, children, confirmLabel, pending, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={textId}
      onClose={onClose}
      onCancel={(e) => {
        if (pending) e.preventDefault();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-border bg-card p-5 text-foreground shadow-2xl backdrop:bg-black/40"
    >
      <h2 id={titleId} className="text-base font-semibold">
        {title}
      </h2>
      <div id={textId} className="mt-2 space-y-2 text-sm break-words text-muted-foreground">
        {children}
      </div>
      <div className="mt-5 flex justify-end gap-2">
        <button
          type="button"
          onClick={onClose}
          disabled={pending}
          className={`${base} border border-border bg-background shadow-xs hover:bg-muted`}
        >
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          disabled={pending}
          aria-busy={pending || undefined}
          className={`${base} bg-destructive text-white shadow-sm hover:brightness-110`}
        >
          {pending ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <Trash2 className="size-4" aria-hidden />
          )}
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
