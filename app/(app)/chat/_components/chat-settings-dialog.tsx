"use client";

import { LoaderCircle, SlidersHorizontal } from "lucide-react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { toast } from "sonner";
import { maxOutputCap, modelInfo, type ProviderId } from "@/lib/ai/registry";
import {
  type ChatSettings,
  ignoresTemperature,
  SYSTEM_PROMPT_MAX_CHARS,
  temperatureRange,
} from "@/lib/chat/params";
import { button, iconButton } from "./styles";

// The chat's own instructions and parameters, from the chat header. A new chat keeps them here
// until its first message carries them to the server; an existing chat saves them at once.

type Props = {
  chatId: string;
  /** The chat row exists on the server (after the first accepted message). */
  saved: boolean;
  provider: ProviderId;
  model: string;
  value: ChatSettings;
  onChange: (next: ChatSettings) => void;
  /** The user's default instructions, shown as what an empty field means. */
  defaultSystemPrompt: string | null;
  disabled?: boolean;
};

const field =
  "block w-full rounded-lg border border-input bg-background px-3 text-[15px] shadow-xs outline-none focus:border-ring focus:ring-3 focus:ring-ring/20 aria-invalid:border-destructive";

const isCustom = (s: ChatSettings) =>
  s.systemPrompt !== null || s.temperature !== null || s.maxOutputTokens !== null;

export function ChatSettingsButton(props: Props) {
  const [open, setOpen] = useState(false);
  const custom = isCustom(props.value);
  return (
    <>
      <button
        type="button"
        className={`${iconButton} relative size-9`}
        aria-label={custom ? "Chat settings (customised)" : "Chat settings"}
        title="Instructions and parameters for this chat"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        disabled={props.disabled}
      >
        <SlidersHorizontal className="size-4" aria-hidden />
        {custom ? (
          <span aria-hidden className="absolute top-1.5 right-1.5 size-1.5 rounded-full bg-primary" />
        ) : null}
      </button>
      {open ? <ChatSettingsDialog {...props} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ChatSettingsDialog({
  chatId,
  saved,
  provider,
  model,
  value,
  onChange,
  defaultSystemPrompt,
  onClose,
}: Props & { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [system, setSystem] = useState(value.systemPrompt ?? "");
  // "" stored on the chat: no instructions at all, not even the user's default.
  const [noSystem, setNoSystem] = useState(value.systemPrompt === "");
  const [temperature, setTemperature] = useState(value.temperature?.toString() ?? "");
  const [maxOut, setMaxOut] = useState(value.maxOutputTokens?.toString() ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const range = temperatureRange(provider);
  const cap = maxOutputCap(provider, model);
  const listed = modelInfo(provider, model);
  const noTemperature = ignoresTemperature(provider, model);

  /** The form's values as settings, or the errors that keep them from being saved. */
  const read = (): { settings?: ChatSettings; errors: Record<string, string> } => {
    const errs: Record<string, string> = {};
    const t = temperature.trim() === "" ? null : Number(temperature);
    if (t !== null && (!Number.isFinite(t) || t < range.min || t > range.max))
      errs.temperature = `Enter a number from ${range.min} to ${range.max}, or leave it empty.`;
    const m = maxOut.trim() === "" ? null : Number(maxOut);
    if (m !== null && (!Number.isInteger(m) || m < 1 || m > cap))
      errs.maxOutputTokens = `Enter a whole number from 1 to ${cap.toLocaleString("en-US")}, or leave it empty.`;
    if (!noSystem && system.length > SYSTEM_PROMPT_MAX_CHARS)
      errs.systemPrompt = `Instructions have at most ${SYSTEM_PROMPT_MAX_CHARS.toLocaleString("en-US")} characters.`;
    if (Object.keys(errs).length) return { errors: errs };
    return {
      settings: {
        systemPrompt: noSystem ? "" : system.trim() ? system : null,
        temperature: t,
        maxOutputTokens: m,
      },
      errors: {},
    };
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = read();
    setErrors(r.errors);
    if (!r.settings) {
      const first = Object.keys(r.errors)[0];
      document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    if (saved) {
      setPending(true);
      try {
        const res = await fetch(`/api/chats/${encodeURIComponent(chatId)}/settings`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ settings: r.settings, provider, model }),
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as {
            message?: string;
            issues?: { path: string; message: string }[];
          } | null;
          setErrors({
            form: body?.issues?.[0]?.message ?? body?.message ?? "The settings could not be saved.",
          });
          return;
        }
      } catch {
        setErrors({ form: "The server could not be reached. Try again." });
        return;
      } finally {
        setPending(false);
      }
      toast.success("Chat settings saved.");
    }
    onChange(r.settings);
    ref.current?.close();
  };

  const reset = () => {
    setSystem("");
    setNoSystem(false);
    setTemperature("");
    setMaxOut("");
    setErrors({});
  };

  const describe = (name: string, hint: string) => (errors[name] ? `${id}-${name}-error ${hint}` : hint);
  const error = (name: string) =>
    errors[name] ? (
      <p id={`${id}-${name}-error`} className="text-sm text-destructive">
        {errors[name]}
      </p>
    ) : null;

  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      onClose={onClose}
      onCancel={(e) => {
        if (pending) e.preventDefault();
      }}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[min(32rem,calc(100vw-2rem))] overflow-y-auto rounded-xl border border-border bg-card p-5 text-foreground shadow-2xl backdrop:bg-black/40"
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        <div>
          <h2 id={`${id}-title`} className="text-base font-semibold">
            Chat settings
          </h2>
          <p className="mt-1 text-sm text-muted-foreground">
            Instructions and parameters sent with every message of this chat
            {saved ? "." : ", saved with its first message."}
          </p>
        </div>

        <div className="space-y-1.5">
          <label htmlFor={`${id}-systemPrompt`} className="block text-sm font-medium">
            Instructions (system prompt)
          </label>
          <textarea
            id={`${id}-systemPrompt`}
            value={system}
            onChange={(e) => setSystem(e.target.value)}
            disabled={noSystem}
            rows={5}
            placeholder={defaultSystemPrompt ?? "e.g. You are a concise assistant. Answer in French."}
            aria-invalid={errors.systemPrompt ? true : undefined}
            aria-describedby={describe("systemPrompt", `${id}-systemPrompt-hint`)}
            className={`${field} min-h-28 resize-y py-2 leading-6 disabled:cursor-not-allowed disabled:opacity-60`}
          />
          <p id={`${id}-systemPrompt-hint`} className="text-xs text-muted-foreground">
            {noSystem
              ? "This chat is sent without any instructions."
              : defaultSystemPrompt
                ? "Empty: your default instructions (shown greyed) are used."
                : "Empty: no instructions. Set defaults for all chats in AI settings."}
          </p>
          {error("systemPrompt")}
          <label className="flex items-start gap-2 pt-1 text-sm">
            <input
              type="checkbox"
              checked={noSystem}
              onChange={(e) => setNoSystem(e.target.checked)}
              aria-describedby={`${id}-noSystem-hint`}
              className="mt-0.5 size-4 shrink-0 accent-primary"
            />
            <span>
              No instructions
              <span id={`${id}-noSystem-hint`} className="block text-xs text-muted-foreground">
                {defaultSystemPrompt
                  ? "Send this chat without a system prompt, not even your default one."
                  : "Send this chat without a system prompt, even if you set a default later."}
              </span>
            </span>
          </label>
        </div>

        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1.5">
            <label htmlFor={`${id}-temperature`} className="block text-sm font-medium">
              Temperature
            </label>
            <input
              id={`${id}-temperature`}
              type="number"
              inputMode="decimal"
              step={0.1}
              min={range.min}
              max={range.max}
              value={temperature}
              onChange={(e) => setTemperature(e.target.value)}
              placeholder="Provider default"
              aria-invalid={errors.temperature ? true : undefined}
              aria-describedby={describe("temperature", `${id}-temperature-hint`)}
              className={`${field} h-10`}
            />
            <p id={`${id}-temperature-hint`} className="text-xs text-muted-foreground">
              {range.min} to {range.max}; lower is more focused.
              {noTemperature ? ` ${listed?.label ?? model} ignores it (a reasoning model).` : ""}
            </p>
            {error("temperature")}
          </div>
          <div className="space-y-1.5">
            <label htmlFor={`${id}-maxOutputTokens`} className="block text-sm font-medium">
              Max output tokens
            </label>
            <input
              id={`${id}-maxOutputTokens`}
              type="number"
              inputMode="numeric"
              step={1}
              min={1}
              max={cap}
              value={maxOut}
              onChange={(e) => setMaxOut(e.target.value)}
              placeholder="Model default"
              aria-invalid={errors.maxOutputTokens ? true : undefined}
              aria-describedby={describe("maxOutputTokens", `${id}-maxOutputTokens-hint`)}
              className={`${field} h-10`}
            />
            <p id={`${id}-maxOutputTokens-hint`} className="text-xs text-muted-foreground">
              {listed
                ? `Up to ${cap.toLocaleString("en-US")} for ${listed.label}.`
                : "Up to what the model allows."}
            </p>
            {error("maxOutputTokens")}
          </div>
        </div>

        {errors.form ? (
          <p role="alert" className="text-sm text-destructive">
            {errors.form}
          </p>
        ) : null}

        <div className="flex flex-wrap justify-between gap-2">
          <button type="button" onClick={reset} className={`${button.base} ${button.secondary}`}>
            Reset to defaults
          </button>
          <div className="flex gap-2">
            <button
              type="button"
              onClick={() => ref.current?.close()}
              disabled={pending}
              className={`${button.base} ${button.secondary}`}
            >
              Cancel
            </button>
            <button
              type="submit"
              disabled={pending}
              aria-busy={pending || undefined}
              className={`${button.base} ${button.primary}`}
            >
              {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
              Save
            </button>
          </div>
        </div>
      </form>
    </dialog>
  );
}
