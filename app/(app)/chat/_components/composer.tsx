"use client";

import { ArrowUp, Square } from "lucide-react";
import { type FormEvent, type KeyboardEvent, useEffect, useRef } from "react";

type Props = {
  value: string;
  onChange: (text: string) => void;
  onSend: () => void;
  onStop: () => void;
  /** A request is in flight: Send becomes Stop. */
  busy: boolean;
  /** Sent but not accepted yet: the draft stays, read-only, until the server answers. */
  pending: boolean;
  disabled?: boolean;
  disabledReason?: string;
  maxChars: number;
};

export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  busy,
  pending,
  disabled,
  disabledReason,
  maxChars,
}: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const tooLong = value.length > maxChars;
  const canSend = !disabled && !busy && value.trim().length > 0 && !tooLong;

  // Grow with the text up to ~8 lines, then scroll.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure whenever the text changes
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [value]);

  // Ready for the next message, but not on touch screens, where focus pops the keyboard up.
  useEffect(() => {
    if (!busy && !disabled && window.matchMedia("(pointer: fine)").matches)
      ref.current?.focus({ preventScroll: true });
  }, [busy, disabled]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (canSend) onSend();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form
      onSubmit={submit}
      className="rounded-2xl border border-border bg-card p-2 shadow-sm transition-[border-color,box-shadow] focus-within:border-ring/60 focus-within:ring-3 focus-within:ring-ring/15"
    >
      <label htmlFor="composer" className="sr-only">
        Message
      </label>
      <textarea
        id="composer"
        ref={ref}
        rows={1}
        value={value}
        readOnly={pending}
        disabled={disabled}
        aria-describedby="composer-hint"
        aria-invalid={tooLong || undefined}
        placeholder={disabled ? "Add an API key to start chatting" : "Message BYOK Chat"}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        className={`block max-h-[220px] min-h-[44px] w-full resize-none bg-transparent px-2 py-2 text-[15px] leading-6 outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed ${pending ? "text-muted-foreground" : ""}`}
      />
      <div className="flex items-center justify-between gap-2 pl-2">
        <p id="composer-hint" className="min-w-0 truncate text-xs text-muted-foreground">
          {disabled && disabledReason ? (
            disabledReason
          ) : tooLong ? (
            <span className="text-destructive">
              {value.length.toLocaleString()} / {maxChars.toLocaleString()} characters
            </span>
          ) : (
            <>
              <span className="hidden sm:inline">Enter to send · Shift+Enter for a new line</span>
              {value.length > maxChars * 0.8 ? (
                <span className="sm:ml-2">
                  {value.length.toLocaleString()} / {maxChars.toLocaleString()}
                </span>
              ) : null}
            </>
          )}
        </p>
        {/* Keys: Stop and Send must be different elements. When a Stop click ends the stream
            at once, React would otherwise turn the clicked button into the submit button
            before the click's default action runs, and the form would send the draft again. */}
        {busy ? (
          <button
            key="stop"
            type="button"
            onClick={onStop}
            aria-label="Stop"
            title="Stop generating"
            className="inline-flex size-8 shrink-0 items-center justify-center rounded-lg bg-foreground text-background hover:opacity-85"
          >
            <Square className="size-3.5 fill-current" aria-hidden />
          </button>
        ) : (
          <button
            key="send"
            type="submit"
            aria-label="Send"
            title="Send (Enter)"
            disabled={!canSend}
            className="inline-flex size-8 shrink-0 items-center justify-center rounded-lg bg-primary text-primary-foreground shadow-sm hover:brightness-110 disabled:opacity-40 disabled:shadow-none"
          >
            <ArrowUp className="size-4" aria-hidden />
          </button>
        )}
      </div>
    </form>
  );
}
