"use client";

import { LoaderCircle, Trash2 } from "lucide-react";
import { useEffect, useId, useRef } from "react";
import { button } from "./styles";

type Props = {
  open: boolean;
  providerLabel: string;
  /** What chats fall back to once the key is gone. */
  afterRemoval: string;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
};

// Native <dialog> as a modal: focus is trapped and restored, Escape closes, the page behind is inert.
export function RemoveDialog({ open, providerLabel, afterRemoval, pending, onConfirm, onClose }: Props) {
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
        Remove your {providerLabel} key?
      </h2>
      <div id={textId} className="mt-2 space-y-2 text-sm text-muted-foreground">
        <p>The encrypted key is deleted from this server. {afterRemoval}</p>
        <p>To stop using it without deleting it, switch off “Use my personal key” instead.</p>
      </div>
      <div className="mt-5 flex justify-end gap-2">
        <button
          type="button"
          className={`${button.base} ${button.secondary}`}
          onClick={onClose}
          disabled={pending}
        >
          Cancel
        </button>
        <button
          type="button"
          className={`${button.base} ${button.dangerSolid}`}
          onClick={onConfirm}
          disabled={pending}
          aria-busy={pending || undefined}
        >
          {pending ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <Trash2 className="size-4" aria-hidden />
          )}
          Remove key
        </button>
      </div>
    </dialog>
  );
}
