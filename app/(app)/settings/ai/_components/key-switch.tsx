"use client";

import * as Switch from "@radix-ui/react-switch";
import { useId } from "react";

type Props = { checked: boolean; disabled?: boolean; busy?: boolean; onChange: (next: boolean) => void };

/** "Use my personal key": Radix's switch (role=switch, aria-checked, Space/Enter), named by its visible label. */
export function KeySwitch({ checked, disabled, busy, onChange }: Props) {
  const labelId = useId();
  const hintId = useId();
  return (
    <div className="flex items-start gap-3">
      <Switch.Root
        checked={checked}
        onCheckedChange={(next) => !busy && onChange(next)}
        disabled={disabled}
        aria-labelledby={labelId}
        aria-describedby={hintId}
        aria-busy={busy || undefined}
        // Busy is aria-disabled, not disabled: the switch keeps keyboard focus while it saves.
        aria-disabled={busy || undefined}
        className="relative mt-0.5 inline-flex h-6 w-10 shrink-0 items-center rounded-full border-2 border-transparent bg-input transition-colors data-[state=checked]:bg-primary disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:opacity-50"
      >
        <Switch.Thumb className="inline-block size-5 translate-x-0 rounded-full bg-white shadow-sm transition-transform data-[state=checked]:translate-x-4" />
      </Switch.Root>
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
