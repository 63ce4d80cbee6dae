"use client";

import { ChevronLeft, ChevronRight } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { button, iconButton } from "./styles";

// Versions of a message (lib/chat/branch.ts): the ‹ 2/3 › switcher under a message that has
// several (a regenerated answer, an edited message), and the inline editor of a sent message.

/** ‹ 2/3 ›: shows the version before or after this one, with the branch below it. */
export function VersionSwitcher({
  versions,
  current,
  onShow,
  disabled,
  what,
}: {
  versions: string[];
  current: string;
  onShow: (id: string) => void;
  disabled: boolean;
  /** "answer" or "message", for the screen reader's label. */
  what: string;
}) {
  const at = versions.indexOf(current);
  if (at < 0 || versions.length < 2) return null;
  const prev = versions[at - 1];
  const next = versions[at + 1];
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of controls, not a form fieldset
    <div
      role="group"
      aria-label={`Versions of this ${what}`}
      className="flex items-center text-xs text-muted-foreground"
    >
      <button
        type="button"
        aria-label="Previous version"
        title="Previous version"
        className={`${iconButton} size-7`}
        disabled={disabled || !prev}
        onClick={() => prev && onShow(prev)}
      >
        <ChevronLeft className="size-4" aria-hidden />
      </button>
      <span className="min-w-8 text-center tabular-nums" aria-live="polite" data-testid="version-count">
        <span aria-hidden>
          {at + 1}/{versions.length}
        </span>
        <span className="sr-only">
          Version {at + 1} of {versions.length}
        </span>
      </span>
      <button
        type="button"
        aria-label="Next version"
        title="Next version"
        className={`${iconButton} size-7`}
        disabled={disabled || !next}
        onClick={() => next && onShow(next)}
      >
        <ChevronRight className="size-4" aria-hidden />
      </button>
    </div>
  );
}

/**
 * The inline editor of a sent message: Save & send (or Enter) sends the edited text as a new
 * version; Cancel (or Escape) leaves the message as it was. Focus returns to the Edit button.
 */
export function MessageEditor({
  text,
  onChange,
  onSave,
  onCancel,
  disabled,
  maxChars,
}: {
  text: string;
  onChange: (text: string) => void;
  onSave: () => void;
  onCancel: () => void;
  disabled: boolean;
  maxChars: number;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  // Grows with its text, up to a limit (then it scrolls).
  // biome-ignore lint/correctness/useExhaustiveDependencies: measures on every text change
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 320)}px`;
  }, [text]);
  const tooLong = text.length > maxChars;
  const canSave = !disabled && text.trim().length > 0 && !tooLong;
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSave) onSave();
    }
  };
  return (
    <div className="w-full max-w-[85%] rounded-2xl border border-border bg-card p-2 shadow-sm focus-within:border-ring/60 sm:max-w-[75%]">
      <label htmlFor={id} className="sr-only">
        Edit message
      </label>
      <textarea
        ref={ref}
        id={id}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        rows={2}
        aria-describedby={tooLong ? `${id}-hint` : undefined}
        className="block max-h-80 min-h-[44px] w-full resize-none bg-transparent px-2 py-1.5 text-[15px] leading-6 outline-none"
      />
      {tooLong ? (
        <p id={`${id}-hint`} className="px-2 text-xs text-destructive">
          {text.length.toLocaleString()} / {maxChars.toLocaleString()} characters: shorten the message to send
          it.
        </p>
      ) : null}
      <div className="flex justify-end gap-2 pt-1">
        <button type="button" onClick={onCancel} className={`${button.base} ${button.secondary} h-8`}>
          Cancel
        </button>
        <button
          type="button"
          onClick={onSave}
          disabled={!canSave}
          className={`${button.base} ${button.primary} h-8`}
        >
          Save &amp; send
        </button>
      </div>
    </div>
  );
}
