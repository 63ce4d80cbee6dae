import type { InputHTMLAttributes, ReactNode } from "react";
import { COMPATIBLE_PRESETS } from "@/lib/ai/registry";
import { input } from "./styles";

type Props = InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: string;
  error?: string;
  hint?: string;
};

/** A labelled input whose error and hint are wired to it (aria-invalid, aria-describedby). */
export function KeyField({ id, label, error, hint, ...rest }: Props) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={input}
        {...rest}
      />
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export type KeyFieldValues = { label: string; baseUrl: string; apiKey: string };
type Preset = (typeof COMPATIBLE_PRESETS)[number];

/**
 * The fields of a key, shared by the card's form, "Add another key" and "Add endpoint": presets
 * (OpenAI-compatible), then Name beside Base URL (or beside the key when there is no URL field),
 * `between` (the card's "No key" box), then the key. Ids are `${idPrefix}-${field}`.
 */
export function KeyFields({
  idPrefix,
  values,
  errors,
  onChange,
  name = null,
  baseUrl = null,
  apiKey,
  onPreset,
  between = null,
}: {
  idPrefix: string;
  values: KeyFieldValues;
  errors: Record<string, string>;
  onChange: (field: keyof KeyFieldValues, value: string) => void;
  /** Shown when given: the Name field. */
  name?: { label: string; placeholder: string } | null;
  /** Shown when given: the Base URL field. */
  baseUrl?: { placeholder: string; hint?: string } | null;
  apiKey: { label: string; placeholder: string; hint?: string; disabled?: boolean };
  onPreset?: (preset: Preset) => void;
  between?: ReactNode;
}) {
  const id = (field: string) => `${idPrefix}-${field}`;
  const nameField = name && (
    <KeyField
      id={id("label")}
      label={name.label}
      value={values.label}
      onChange={(e) => onChange("label", e.target.value)}
      error={errors.label}
      placeholder={name.placeholder}
      maxLength={60}
      autoComplete="off"
    />
  );
  const keyField = (
    <KeyField
      id={id("apiKey")}
      label={apiKey.label}
      type="password"
      value={values.apiKey}
      disabled={apiKey.disabled}
      onChange={(e) => onChange("apiKey", e.target.value)}
      error={errors.apiKey ?? errors.form}
      hint={apiKey.hint}
      placeholder={apiKey.placeholder}
      autoComplete="off"
      autoCapitalize="off"
      autoCorrect="off"
      spellCheck={false}
      data-1p-ignore
      data-lpignore="true"
    />
  );
  return (
    <>
      {onPreset ? (
        <fieldset className="flex flex-wrap items-center gap-1.5 text-sm">
          <legend className="float-left mr-1 text-muted-foreground">Presets:</legend>
          {COMPATIBLE_PRESETS.map((p) => (
            <button
              key={p.name}
              type="button"
              onClick={() => onPreset(p)}
              className="h-7 rounded-full border border-border px-2.5 text-xs font-medium hover:bg-muted"
            >
              {p.name}
            </button>
          ))}
        </fieldset>
      ) : null}
      <div className={nameField ? "grid gap-3 sm:grid-cols-2" : "contents"}>
        {nameField}
        {baseUrl ? (
          <KeyField
            id={id("baseUrl")}
            label="Base URL"
            type="url"
            inputMode="url"
            value={values.baseUrl}
            onChange={(e) => onChange("baseUrl", e.target.value)}
            error={errors.baseUrl}
            hint={baseUrl.hint}
            placeholder={baseUrl.placeholder}
            autoComplete="off"
            spellCheck={false}
          />
        ) : (
          keyField
        )}
      </div>
      {between}
      {baseUrl ? keyField : null}
    </>
  );
}
