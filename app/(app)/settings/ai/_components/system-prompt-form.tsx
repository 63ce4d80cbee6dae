"use client";

import { LoaderCircle } from "lucide-react";
import { type FormEvent, useRef, useState, useTransition } from "react";
import { toast } from "sonner";
import { SYSTEM_PROMPT_MAX_CHARS } from "@/lib/chat/params";
import { setSystemPromptAction } from "../actions";
import { button, input } from "./styles";

/** The user's default instructions, sent as the system prompt of every chat that sets none. */
export function SystemPromptForm({ initial }: { initial: string | null }) {
  const [value, setValue] = useState(initial ?? "");
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const field = useRef<HTMLTextAreaElement>(null);
  const tooLong = value.length > SYSTEM_PROMPT_MAX_CHARS;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    startTransition(async () => {
      try {
        const r = await setSystemPromptAction({ systemPrompt: value });
        if (r.ok) {
          setError(undefined);
          setValue(r.systemPrompt ?? "");
          toast.success(r.systemPrompt ? "Default instructions saved." : "Default instructions cleared.");
        } else {
          setError(r.fieldErrors?.systemPrompt ?? r.message);
          field.current?.focus();
        }
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  };

  return (
    <form onSubmit={submit} className="space-y-2" noValidate>
      <label htmlFor="default-system-prompt" className="block text-sm font-medium">
        Default instructions
      </label>
      <textarea
        ref={field}
        id="default-system-prompt"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        rows={4}
        placeholder="e.g. Answer briefly. Use metric units."
        aria-invalid={error || tooLong ? true : undefined}
        aria-describedby="default-system-prompt-hint"
        className={`${input} h-auto min-h-24 resize-y py-2 leading-6`}
      />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p id="default-system-prompt-hint" className="text-xs text-muted-foreground">
          Sent as the system prompt of every chat that has no instructions of its own.{" "}
          <span className={tooLong ? "font-medium text-destructive" : undefined}>
            {value.length.toLocaleString("en-US")} / {SYSTEM_PROMPT_MAX_CHARS.toLocaleString("en-US")}
          </span>
        </p>
        <button
          type="submit"
          disabled={pending || tooLong}
          aria-busy={pending || undefined}
          className={`${button.base} ${button.primary}`}
        >
          {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
          Save instructions
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </form>
  );
}
