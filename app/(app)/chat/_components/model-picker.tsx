"use client";

import { ChevronDown, KeyRound, Server } from "lucide-react";
import type { KeySource } from "@/lib/keys/policy";
import type { PickerProvider, Selection } from "./types";

type Props = {
  providers: PickerProvider[];
  value: Selection;
  onChange: (next: Selection) => void;
  disabled?: boolean;
};

const SEP = "::";

/** Models grouped by provider, only providers the user can chat with, and which key pays. */
export function ModelPicker({ providers, value, onChange, disabled }: Props) {
  const current = providers.find((p) => p.id === value.provider);
  const selectValue =
    value.provider === "compatible" ? `compatible${SEP}` : `${value.provider}${SEP}${value.model}`;
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      <div className="relative min-w-0">
        <select
          aria-label="Model"
          value={selectValue}
          disabled={disabled}
          onChange={(e) => {
            const [provider, model = ""] = e.target.value.split(SEP);
            const p = providers.find((x) => x.id === provider);
            if (p)
              onChange({
                provider: p.id,
                model:
                  p.id === "compatible"
                    ? value.model && value.provider === "compatible"
                      ? value.model
                      : ""
                    : model,
              });
          }}
          className="h-9 max-w-[60vw] appearance-none truncate rounded-lg border border-border bg-background py-0 pr-8 pl-3 text-sm font-medium shadow-xs outline-none hover:bg-muted focus-visible:border-ring focus-visible:ring-3 focus-visible:ring-ring/20 disabled:opacity-60 sm:max-w-xs"
        >
          {providers.map((p) => (
            <optgroup key={p.id} label={p.label}>
              {p.id === "compatible" ? (
                <option value={`compatible${SEP}`}>Custom model id…</option>
              ) : (
                p.models.map((m) => (
                  <option key={m.id} value={`${p.id}${SEP}${m.id}`}>
                    {m.label}
                  </option>
                ))
              )}
            </optgroup>
          ))}
        </select>
        <ChevronDown
          className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-muted-foreground"
          aria-hidden
        />
      </div>
      {value.provider === "compatible" ? (
        <input
          aria-label="Model id"
          value={value.model}
          disabled={disabled}
          placeholder="model id, e.g. llama3.1"
          onChange={(e) => onChange({ provider: "compatible", model: e.target.value.trim() })}
          className="h-9 w-44 rounded-lg border border-input bg-background px-3 text-sm shadow-xs outline-none focus:border-ring focus:ring-3 focus:ring-ring/20"
        />
      ) : null}
      {current ? <KeyBadge source={current.source} /> : null}
    </div>
  );
}

export function KeyBadge({ source }: { source: KeySource }) {
  const personal = source === "personal";
  return (
    <span
      title={
        personal
          ? "Requests use your own API key."
          : "You have no key for this provider: requests use this server's shared key, with a lower rate limit."
      }
      className={`inline-flex h-6 items-center gap-1 rounded-full px-2 text-xs font-medium ${
        personal ? "bg-primary-soft text-primary-ink" : "bg-muted text-muted-foreground"
      }`}
    >
      {personal ? <KeyRound className="size-3" aria-hidden /> : <Server className="size-3" aria-hidden />}
      {personal ? "Personal key" : "System key"}
    </span>
  );
}
