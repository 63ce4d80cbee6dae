"use client";

import { FlaskConical, LoaderCircle, Save } from "lucide-react";
import type { FormEvent } from "react";
import { COMPATIBLE_PRESETS, type ProviderInfo } from "@/lib/ai/registry";
import { KeyField } from "./key-field";
import { button } from "./styles";

export type KeyFormValues = { apiKey: string; baseUrl: string; label: string; keyless: boolean };

type Props = {
  info: ProviderInfo;
  hasKey: boolean;
  values: KeyFormValues;
  errors: Record<string, string>;
  /** Any action in flight disables the form; only save and test show a spinner here. */
  pending: string | null;
  onChange: (values: KeyFormValues) => void;
  onSave: () => void;
  onTest: () => void;
};

export function KeyForm({ info, hasKey, values, errors, pending, onChange, onSave, onTest }: Props) {
  const id = (field: string) => `${info.id}-${field}`;
  const set = (field: "apiKey" | "baseUrl" | "label") => (e: { target: { value: string } }) =>
    onChange({ ...values, [field]: e.target.value });
  // While an action runs the buttons are aria-disabled, not disabled: a disabled button loses
  // keyboard focus to the page body, and the person pressing it would have to find their place.
  const busy = pending !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onSave();
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      {info.requiresBaseUrl ? (
        <fieldset className="flex flex-wrap items-center gap-1.5 text-sm">
          <legend className="float-left mr-1 text-muted-foreground">Presets:</legend>
          {COMPATIBLE_PRESETS.map((p) => (
            <button
              key={p.name}
              type="button"
              onClick={() =>
                onChange({ ...values, label: p.name, baseUrl: p.baseUrl, keyless: p.keyless, apiKey: "" })
              }
              className="h-7 rounded-full border border-border px-2.5 text-xs font-medium hover:bg-muted"
            >
              {p.name}
            </button>
          ))}
        </fieldset>
      ) : null}
      {info.requiresBaseUrl ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <KeyField
            id={id("label")}
            label="Name"
            value={values.label}
            onChange={set("label")}
            error={errors.label}
            placeholder="e.g. OpenRouter or My Ollama"
            maxLength={60}
            autoComplete="off"
          />
          <KeyField
            id={id("baseUrl")}
            label="Base URL"
            type="url"
            inputMode="url"
            value={values.baseUrl}
            onChange={set("baseUrl")}
            error={errors.baseUrl}
            placeholder="https://api.example.com/v1"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      ) : null}
      {info.requiresBaseUrl ? (
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={values.keyless}
            onChange={(e) => onChange({ ...values, keyless: e.target.checked, apiKey: "" })}
            className="size-4 accent-primary"
          />
          No key: a local server that takes none (Ollama, LM Studio, vLLM)
        </label>
      ) : null}
      <KeyField
        id={id("apiKey")}
        label="API key"
        type="password"
        value={values.apiKey}
        disabled={values.keyless}
        onChange={set("apiKey")}
        error={errors.apiKey ?? errors.form}
        hint={
          values.keyless
            ? "No Authorization header is sent to this endpoint."
            : hasKey
              ? "Enter a new key to replace the saved one."
              : `${info.requiresBaseUrl ? "The key your server expects" : `Starts with ${info.keyFormatHint}`}. Stored encrypted; only the last 4 characters are ever shown.`
        }
        placeholder={
          values.keyless ? "No key" : hasKey ? "Enter a new key to replace it" : info.keyFormatHint
        }
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        data-1p-ignore
        data-lpignore="true"
      />
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="submit"
          aria-disabled={busy || undefined}
          aria-busy={pending === "save" || undefined}
          className={`${button.base} ${button.primary}`}
        >
          {pending === "save" ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <Save className="size-4" aria-hidden />
          )}
          Save key
        </button>
        <button
          type="button"
          onClick={() => !busy && onTest()}
          aria-disabled={busy || undefined}
          aria-busy={pending === "test" || undefined}
          className={`${button.base} ${button.secondary}`}
        >
          {pending === "test" ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <FlaskConical className="size-4" aria-hidden />
          )}
          Test
        </button>
        <span className="text-xs text-muted-foreground">
          {values.keyless
            ? "Test checks the endpoint without a key."
            : values.apiKey
              ? "Test checks the key you typed, without saving it."
              : hasKey
                ? "Test checks your saved key."
                : ""}
        </span>
      </div>
    </form>
  );
}
