"use client";

import { useId } from "react";

type Props = { checked: boolean; disabled?: boolean; busy?: boolean; onChange: (next: boolean) => void };

/** "Use my personal key": a real switch (role=switch, aria-checked), named by its visible label. */
export function KeySwitch({ checked, disabled, busy, onChange }: Props) {
  const labelId = useId();
  const hintId = useId();
  return (
    <div className="flex items-start gap-3">
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={labelId}
        aria-describedby={hintId}
        aria-busy={busy || undefined}
        // Busy is aria-disabled, not disabled: the switch keeps keyboard focus while it saves.
        aria-disabled={busy || undefined}
        disabled={disabled}
        onClick={() => !busy && onChange(!checked)}
        className={`relative mt-0.5 inline-flex h-6 w-10 shrink-0 items-center rounded-full border-2 border-transparent transition-colors disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:opacity-50 ${
          checked ? "bg-primary" : "bg-input"
        }`}
      >
        <span
          aria-hidden
          className={`inline-block size-5 rounded-full bg-white shadow-sm transition-transform ${checked ? "translate-x-4" : "translate-x-0"}`}
        />
      </button>
      <div className="min-w-0">
        <span id={labelId} className="block text-sm font-medium">
          Use my personal key
        </span>
        <span id={hintId} className="block text-xs text-muted-foreground">
          {disabled
            ? "Save a key first."
            : checked
              ? "Chats use your key."
              : "Off: your key stays stored but is not used."}
        </span>
      </div>
    </div>
  );
}
