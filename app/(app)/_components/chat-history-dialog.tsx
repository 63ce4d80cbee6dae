"use client";

import { LoaderCircle, Trash2 } from "lucide-react";
import { useEffect, useId, useRef } from "react";

type Props = {
  title: string | null;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
};

// Native <dialog> as a modal: focus is trapped and restored, Escape closes, the page is inert.
export function ChatHistoryDeleteDialog({ title, pending, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();
  const open = title !== null;

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
      onCancel={(e) => pending && e.preventDefault()}
      className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-xl border border-border bg-card p-5 text-foreground shadow-2xl backdrop:bg-black/40"
    >
      <h2 id={titleId} className="text-base font-semibold">
        Delete chat?
      </h2>
      <p id={textId} className="mt-2 text-sm break-words text-muted-foreground">
        “{title}” and all its messages will be deleted. This cannot be undone.
      </p>
      <div className="mt-5 flex justify-end gap-2">
        <button
          type="button"
          onClick={onClose}
          disabled={pending}
          className="inline-flex h-9 items-center rounded-lg border border-border bg-background px-3.5 text-sm font-medium shadow-xs hover:bg-muted disabled:opacity-60"
        >
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          disabled={pending}
          aria-busy={pending || undefined}
          className="inline-flex h-9 items-center gap-2 rounded-lg bg-destructive px-3.5 text-sm font-medium text-white shadow-sm hover:brightness-110 disabled:opacity-60"
        >
          {pending ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <Trash2 className="size-4" aria-hidden />
          )}
          Delete
        </button>
      </div>
    </dialog>
  );
}
