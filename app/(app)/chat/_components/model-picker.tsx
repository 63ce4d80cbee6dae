"use client";

import { Check, ChevronDown, KeyRound, Search, Server } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { PickerModel } from "@/lib/chat/picker";
import { entryFor, entryKey, selectionOf } from "@/lib/chat/picker-entry";
import type { KeySource } from "@/lib/keys/policy";
import type { PickerProvider, Selection } from "./types";

type Props = {
  providers: PickerProvider[];
  value: Selection;
  onChange: (next: Selection) => void;
  disabled?: boolean;
};

type Row = { provider: PickerProvider; model: PickerModel | null; custom?: string };

const perMillion = (n: number) => `$${n < 1 ? n.toFixed(3).replace(/\.?0+$/, "") : n.toFixed(2)}`;

export function priceText(m: PickerModel): string {
  if (m.gone) return "no longer listed";
  return m.price ? `${perMillion(m.price.input)} / ${perMillion(m.price.output)} per 1M` : "price unknown";
}

/** The selected model's label, or its id when the lists do not know it. */
export function selectedLabel(providers: PickerProvider[], value: Selection): string {
  const p = entryFor(providers, value);
  return p?.models.find((m) => m.id === value.model)?.label ?? (value.model || "Choose a model");
}

/**
 * A searchable list of the models the user can chat with, grouped by provider (the models each
 * key's provider listed, else our registry's), with prices where we know them and which key pays.
 * An OpenAI-compatible endpoint also takes a model id typed into the search.
 */
export function ModelPicker({ providers, value, onChange, disabled }: Props) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const listId = useId();
  const current = entryFor(providers, value);

  const rows = useMemo<Row[]>(() => {
    const q = query.trim().toLowerCase();
    const out: Row[] = [];
    const custom: Row[] = [];
    for (const p of providers) {
      for (const m of p.models) {
        if (!q || `${m.label} ${m.id} ${p.label}`.toLowerCase().includes(q))
          out.push({ provider: p, model: m });
      }
      if (p.id === "compatible" && q && !p.models.some((m) => m.id.toLowerCase() === q))
        custom.push({ provider: p, model: null, custom: query.trim() });
    }
    // A typed id after every listed match: Enter takes the endpoint that lists it.
    return [...out, ...custom];
  }, [providers, query]);

  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", close);
    search.current?.focus();
    return () => document.removeEventListener("pointerdown", close);
  }, [open]);

  const choose = (r: Row) => {
    const model = r.model?.id ?? r.custom ?? "";
    if (!model || r.model?.gone) return;
    // An OpenAI-compatible endpoint's model selects that endpoint too.
    onChange(selectionOf(r.provider, model));
    setOpen(false);
    setQuery("");
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (rows.length ? (i + step + rows.length) % rows.length : 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const r = rows[active];
      if (r) choose(r);
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  };

  const label = selectedLabel(providers, value);
  return (
    <div ref={root} className="relative flex min-w-0 items-center gap-2 max-sm:flex-1 sm:flex-wrap">
      <button
        type="button"
        aria-label={`Model: ${current?.label ?? ""} ${label}`.replace(/\s+/g, " ")}
        aria-haspopup="listbox"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        className="inline-flex h-9 max-w-[70vw] min-w-0 items-center gap-2 rounded-lg border border-border bg-background pr-2 pl-3 text-sm font-medium shadow-xs outline-none hover:bg-muted focus-visible:border-ring focus-visible:ring-3 focus-visible:ring-ring/20 disabled:opacity-60 sm:max-w-xs"
      >
        <span className="truncate">
          <span className="text-muted-foreground">{current?.label} · </span>
          {label}
        </span>
        <ChevronDown className="size-4 shrink-0 text-muted-foreground" aria-hidden />
      </button>
      {current ? <KeyBadge source={current.source} compact /> : null}
      {open ? (
        <div className="absolute top-full left-0 z-50 mt-1 w-[min(24rem,calc(100vw-1.5rem))] overflow-hidden rounded-xl border border-border bg-card text-foreground shadow-lg">
          <div className="flex items-center gap-2 border-b border-border px-3">
            <Search className="size-4 text-muted-foreground" aria-hidden />
            <input
              ref={search}
              type="search"
              role="combobox"
              aria-label="Search models"
              aria-controls={listId}
              aria-expanded
              aria-activedescendant={rows[active] ? `${listId}-${active}` : undefined}
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setActive(0);
              }}
              onKeyDown={onKey}
              placeholder={
                providers.some((p) => p.id === "compatible") ? "Search, or type a model id" : "Search models"
              }
              className="h-10 w-full bg-transparent text-sm outline-none placeholder:text-muted-foreground"
            />
          </div>
          <div id={listId} role="listbox" aria-label="Models" className="max-h-80 overflow-y-auto py-1">
            {rows.length === 0 ? (
              <p className="px-3 py-2 text-sm text-muted-foreground">No model matches.</p>
            ) : null}
            {rows.map((r, i) => {
              const first = i === 0 || rows[i - 1]?.provider !== r.provider;
              const selected = r.provider === current && (r.model?.id ?? r.custom) === value.model;
              return (
                <div key={`${entryKey(r.provider)}:${r.model?.id ?? `custom:${r.custom}`}`}>
                  {first ? (
                    <div className="px-3 pt-2 pb-1 text-xs font-semibold text-muted-foreground" aria-hidden>
                      {r.provider.label}
                      {r.provider.listedAt ? " · listed for your key" : ""}
                    </div>
                  ) : null}
                  <div
                    id={`${listId}-${i}`}
                    role="option"
                    aria-selected={selected}
                    aria-disabled={r.model?.gone || undefined}
                    tabIndex={-1}
                    onPointerMove={() => setActive(i)}
                    onClick={() => choose(r)}
                    onKeyDown={onKey}
                    className={`mx-1 flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm ${
                      i === active ? "bg-muted" : ""
                    } ${r.model?.gone ? "cursor-not-allowed opacity-60" : ""}`}
                  >
                    <Check className={`size-3.5 shrink-0 ${selected ? "" : "invisible"}`} aria-hidden />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate">
                        {r.model ? r.model.label : `Use model id “${r.custom}”`}
                        {r.provider.endpoint ? <span className="sr-only"> · {r.provider.label}</span> : null}
                      </span>
                      {r.model && r.model.label !== r.model.id ? (
                        <span className="block truncate font-mono text-[11px] text-muted-foreground">
                          {r.model.id}
                        </span>
                      ) : null}
                    </span>
                    {r.model ? (
                      <span className="shrink-0 text-[11px] text-muted-foreground">{priceText(r.model)}</span>
                    ) : null}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** `compact`: on a phone only the icon shows (the words stay for screen readers). */
export function KeyBadge({ source, compact }: { source: KeySource; compact?: boolean }) {
  const personal = source === "personal";
  return (
    <span
      title={
        personal
          ? "Requests use your own API key."
          : "You have no key for this provider: requests use this server's shared key, with a lower rate limit."
      }
      className={`inline-flex h-6 items-center gap-1 rounded-full px-2 text-xs font-medium ${compact ? "max-sm:w-6 max-sm:justify-center max-sm:px-0 " : ""}${
        personal ? "bg-primary-soft text-primary-ink" : "bg-muted text-muted-foreground"
      }`}
    >
      {personal ? <KeyRound className="size-3" aria-hidden /> : <Server className="size-3" aria-hidden />}
      <span className={compact ? "max-sm:sr-only" : undefined}>
        {personal ? "Personal key" : "System key"}
      </span>
    </span>
  );
}
