"use client";

import { FlaskConical, LoaderCircle, Save } from "lucide-react";
import type { FormEvent } from "react";
import type { ProviderInfo } from "@/lib/ai/registry";
import { KeyFields } from "./key-field";
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
  /** OpenAI-compatible: said under Base URL (why only this key moves to a changed URL). */
  baseUrlHint?: string;
};

export function KeyForm({
  info,
  hasKey,
  values,
  errors,
  pending,
  onChange,
  onSave,
  onTest,
  baseUrlHint,
}: Props) {
  // While an action runs the buttons are aria-disabled, not disabled: a disabled button loses
  // keyboard focus to the page body, and the person pressing it would have to find their place.
  const busy = pending !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onSave();
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <KeyFields
        idPrefix={info.id}
        values={values}
        errors={errors}
        onChange={(field, value) => onChange({ ...values, [field]: value })}
        {...(info.requiresBaseUrl
          ? {
              name: { label: "Name", placeholder: "e.g. OpenRouter or My Ollama" },
              baseUrl: {
                placeholder: "https://api.example.com/v1",
                ...(baseUrlHint ? { hint: baseUrlHint } : {}),
              },
              onPreset: (p) =>
                onChange({ ...values, label: p.name, baseUrl: p.baseUrl, keyless: p.keyless, apiKey: "" }),
            }
          : {})}
        between={
          info.requiresBaseUrl ? (
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={values.keyless}
                onChange={(e) => onChange({ ...values, keyless: e.target.checked, apiKey: "" })}
                className="size-4 accent-primary"
              />
              No key: a local server that takes none (Ollama, LM Studio, vLLM)
            </label>
          ) : null
        }
        apiKey={{
          label: "API key",
          disabled: values.keyless,
          hint: values.keyless
            ? "No Authorization header is sent to this endpoint."
            : hasKey
              ? "Enter a new key to replace the saved one."
              : `${info.requiresBaseUrl ? "The key your server expects" : `Starts with ${info.keyFormatHint}`}. Stored encrypted; only the last 4 characters are ever shown.`,
          placeholder: values.keyless
            ? "No key"
            : hasKey
              ? "Enter a new key to replace it"
              : info.keyFormatHint,
        }}
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
