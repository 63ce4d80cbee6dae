"use client";

import { KeyRound, LoaderCircle } from "lucide-react";
import { type FormEvent, useState } from "react";
import { TOKEN_EXPIRY_DAYS } from "@/lib/api-tokens/limits";
import { KeyField } from "./key-field";
import { button, input } from "./styles";

export type TokenFormValues = {
  name: string;
  readOnly: boolean;
  providers: string[];
  models: string;
  expiresInDays: number | null;
};

const EXPIRY_LABEL: Record<number, string> = { 7: "7 days", 30: "30 days", 90: "90 days", 365: "1 year" };

type Props = {
  providers: { id: string; label: string }[];
  errors: Record<string, string>;
  pending: boolean;
  onSubmit: (values: TokenFormValues) => void;
};

// The "new token" form: a name, what it may do, which providers and models, and when it ends.
export function TokenForm({ providers, errors, pending, onSubmit }: Props) {
  const [v, setV] = useState<TokenFormValues>({
    name: "",
    readOnly: false,
    providers: [],
    models: "",
    expiresInDays: 90,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(v);
  };
  const toggle = (id: string) =>
    setV((s) => ({
      ...s,
      providers: s.providers.includes(id) ? s.providers.filter((p) => p !== id) : [...s.providers, id],
    }));

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="New API token">
      <div className="grid gap-3 sm:grid-cols-2">
        <KeyField
          id="token-name"
          label="Name"
          value={v.name}
          onChange={(e) => setV({ ...v, name: e.target.value })}
          error={errors.name}
          placeholder="e.g. Laptop scripts"
          maxLength={60}
          autoComplete="off"
        />
        <div className="space-y-1.5">
          <label htmlFor="token-expiry" className="block text-sm font-medium">
            Expires after
          </label>
          <select
            id="token-expiry"
            className={input}
            value={v.expiresInDays ?? "never"}
            onChange={(e) =>
              setV({ ...v, expiresInDays: e.target.value === "never" ? null : Number(e.target.value) })
            }
          >
            {TOKEN_EXPIRY_DAYS.map((d) => (
              <option key={d} value={d}>
                {EXPIRY_LABEL[d]}
              </option>
            ))}
            <option value="never">Never</option>
          </select>
          {errors.expiresInDays ? <p className="text-sm text-destructive">{errors.expiresInDays}</p> : null}
        </div>
      </div>

      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium">Access</legend>
        <div className="flex flex-col gap-1.5 text-sm sm:flex-row sm:gap-5">
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="token-access"
              checked={!v.readOnly}
              onChange={() => setV({ ...v, readOnly: false })}
              className="size-4 accent-primary"
            />
            Chat completions and model list
          </label>
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="token-access"
              checked={v.readOnly}
              onChange={() => setV({ ...v, readOnly: true })}
              className="size-4 accent-primary"
            />
            Model list only (read-only)
          </label>
        </div>
      </fieldset>

      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium">Providers</legend>
        <p className="text-xs text-muted-foreground">None ticked: every provider you have a key for.</p>
        <div className="flex flex-wrap gap-x-5 gap-y-1.5 text-sm">
          {providers.map((p) => (
            <label key={p.id} className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={v.providers.includes(p.id)}
                onChange={() => toggle(p.id)}
                className="size-4 accent-primary"
              />
              {p.label}
            </label>
          ))}
        </div>
        {errors.providers ? <p className="text-sm text-destructive">{errors.providers}</p> : null}
      </fieldset>

      <KeyField
        id="token-models"
        label="Only these models (optional)"
        value={v.models}
        onChange={(e) => setV({ ...v, models: e.target.value })}
        error={errors.models}
        hint="provider/model, separated by commas, e.g. groq/llama-3.3-70b-versatile. Empty: any model."
        placeholder="groq/llama-3.3-70b-versatile"
        autoComplete="off"
        spellCheck={false}
      />

      <button type="submit" disabled={pending} className={`${button.base} ${button.primary}`}>
        {pending ? (
          <LoaderCircle className="size-4 animate-spin" aria-hidden />
        ) : (
          <KeyRound className="size-4" aria-hidden />
        )}
        Create token
      </button>
    </form>
  );
}
