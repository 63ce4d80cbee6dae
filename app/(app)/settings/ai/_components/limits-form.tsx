"use client";

import { AlertTriangle } from "lucide-react";
import { useEffect, useState, useTransition } from "react";
import { toast } from "sonner";
import { formatUsd } from "@/lib/ai/prices";
import type { ProviderId } from "@/lib/ai/registry";
import { setKeyLimitsAction, setLimitsAction } from "../actions";
import { KeyField } from "./key-field";
import { button } from "./styles";
import type { ProviderLimits } from "./types";

// The user's own daily and monthly limits (UTC days and months) on their keys for one provider:
// for all of them together, and for each key on its own. The chat refuses a message that could
// go past a provider limit (BUDGET_EXCEEDED) and links here; a key at its own limit is skipped
// for the next key, and when every key is, the refusal links to that key's limits.

type Field = "dayUsd" | "monthUsd" | "dayTokens" | "monthTokens";
const FIELDS: { name: Field; period: "day" | "month"; unit: "usd" | "tokens"; label: string }[] = [
  { name: "dayUsd", period: "day", unit: "usd", label: "Daily limit ($)" },
  { name: "monthUsd", period: "month", unit: "usd", label: "Monthly limit ($)" },
  { name: "dayTokens", period: "day", unit: "tokens", label: "Daily limit (tokens)" },
  { name: "monthTokens", period: "month", unit: "tokens", label: "Monthly limit (tokens)" },
];

const amountText = (unit: "usd" | "tokens", n: number) =>
  unit === "usd" ? formatUsd(n) : `${n.toLocaleString()} tokens`;

function initialValues(data: LimitsView): Record<Field, string> {
  const v = { dayUsd: "", monthUsd: "", dayTokens: "", monthTokens: "" };
  for (const l of data?.limits ?? []) {
    const f = FIELDS.find((x) => x.period === l.period && x.unit === l.unit);
    if (f) v[f.name] = l.unit === "usd" ? String(l.amount / 1_000_000) : String(l.amount);
  }
  return v;
}

type LimitsView = { limits: ProviderLimits["limits"] } | null;
type SaveResult = { ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string> };

/** The four fields, the meters of what was used against them, and Save: one scope's limits. */
function LimitsEditor({
  id,
  data,
  save: send,
  saved,
}: {
  id: string;
  data: LimitsView;
  save: (body: Record<Field, number | null>) => Promise<SaveResult>;
  saved: string;
}) {
  const [values, setValues] = useState(() => initialValues(data));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, start] = useTransition();
  const save = () =>
    start(async () => {
      setErrors({});
      const body = {} as Record<Field, number | null>;
      for (const f of FIELDS) {
        const raw = values[f.name].trim();
        const n = raw === "" ? null : Number(raw);
        if (n !== null && (!Number.isFinite(n) || n <= 0)) {
          setErrors({ [f.name]: "Enter an amount above 0, or leave it empty for no limit." });
          return;
        }
        body[f.name] = n;
      }
      try {
        const r = await send(body);
        if (r.ok) toast.success(saved);
        else setErrors(r.fieldErrors ?? { form: r.message });
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  return (
    <>
      <LimitMeters data={data} />
      <div className="grid gap-3 sm:grid-cols-2">
        {FIELDS.map((f) => (
          <KeyField
            key={f.name}
            id={`${id}-${f.name}`}
            label={f.label}
            inputMode={f.unit === "usd" ? "decimal" : "numeric"}
            placeholder="No limit"
            value={values[f.name]}
            error={errors[f.name]}
            onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
          />
        ))}
      </div>
      {errors.form ? <p className="text-sm text-destructive">{errors.form}</p> : null}
      <button
        type="button"
        onClick={() => {
          if (!pending) save();
        }}
        // aria-disabled, not disabled: a disabled button drops focus, and focus stays where it was pressed.
        aria-disabled={pending || undefined}
        className={`${button.base} ${button.secondary}`}
      >
        Save limits
      </button>
    </>
  );
}

/** A key the card lists, as the per-key limits name it. */
export type LimitsKey = { id: string; label: string | null; preview: string | null };

export function LimitsForm({
  provider,
  providerLabel,
  data,
  keys = [],
}: {
  provider: ProviderId;
  providerLabel: string;
  data: ProviderLimits | null;
  /** The provider's keys in the order chats try them: each may have limits of its own. */
  keys?: LimitsKey[];
}) {
  const id = `limits-${provider}`;
  return (
    <>
      <ProviderLimitsSection id={id} provider={provider} providerLabel={providerLabel} data={data} />
      {keys.length > 0 ? (
        <KeyLimitsList
          provider={provider}
          providerLabel={providerLabel}
          keys={keys}
          data={data?.keys ?? []}
        />
      ) : null}
    </>
  );
}

function ProviderLimitsSection({
  id,
  provider,
  providerLabel,
  data,
}: {
  id: string;
  provider: ProviderId;
  providerLabel: string;
  data: ProviderLimits | null;
}) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className="scroll-mt-20 space-y-3 border-t border-border pt-4"
    >
      <div className="text-sm">
        <h3 id={`${id}-title`} className="font-medium">
          Spending limits
          <span className="sr-only"> ({providerLabel})</span>
        </h3>
        <p className="text-muted-foreground">
          On your own {providerLabel} keys together, per UTC day and month; empty means no limit. A message
          that could go past a limit is not sent. Dollar amounts use our list prices: a model whose price is
          unknown counts against token limits only, a dollar limit cannot cover it.
        </p>
      </div>
      <LimitsEditor
        id={id}
        data={data}
        saved={`${providerLabel} limits saved.`}
        save={(body) => setLimitsAction({ provider, ...body })}
      />
    </section>
  );
}

const keyTitle = (k: LimitsKey, n: number) => `${n}. ${k.label ?? `Key ${n}`}`;

function KeyLimitsList({
  provider,
  providerLabel,
  keys,
  data,
}: {
  provider: ProviderId;
  providerLabel: string;
  keys: LimitsKey[];
  data: ProviderLimits["keys"];
}) {
  const titleId = `limits-${provider}-keys-title`;
  return (
    <section aria-labelledby={titleId} className="space-y-2 border-t border-border pt-4">
      <h3 id={titleId} className="text-sm font-medium">
        Limits per key
        <span className="sr-only"> ({providerLabel})</span>
      </h3>
      <p className="text-sm text-muted-foreground">
        A key at its own limit is skipped and the chat goes on with the next {providerLabel} key; when every
        key is at its limit, the message is not sent.
      </p>
      <ul className="space-y-2">
        {keys.map((k, i) => (
          <KeyLimitsItem key={k.id} item={k} n={i + 1} data={data.find((d) => d.keyId === k.id) ?? null} />
        ))}
      </ul>
    </section>
  );
}

function KeyLimitsItem({ item, n, data }: { item: LimitsKey; n: number; data: LimitsView }) {
  const id = `limits-key-${item.id}`;
  const has = (data?.limits.length ?? 0) > 0;
  const [open, setOpen] = useState(has);
  const [shown, setShown] = useState(data);
  useEffect(() => setShown(data), [data]);
  // The chat's "Spending limits" button for a key at its limit links to this key's limits.
  useEffect(() => {
    if (decodeURIComponent(window.location.hash.slice(1)) === id) setOpen(true);
  }, [id]);
  const title = keyTitle(item, n);
  const name = [item.label ?? `Key ${n}`, item.preview].filter(Boolean).join(" ");
  const summary = shown?.limits.length
    ? shown.limits
        .map(
          (l) =>
            `${l.period === "day" ? "today" : "this month"} ${amountText(l.unit, l.used)} of ${amountText(l.unit, l.amount)}`,
        )
        .join(" · ")
    : "No limits of its own";
  return (
    <li
      id={id}
      className="scroll-mt-20 space-y-3 rounded-lg border border-border px-3 py-2.5"
      data-testid="key-limits"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0 text-sm">
          <span className="font-medium">{title}</span>{" "}
          <span className="font-mono text-muted-foreground">{item.preview}</span>
          <span className="block text-xs text-muted-foreground">{summary}</span>
        </div>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={open ? `${id}-panel` : undefined}
          onClick={() => setOpen((o) => !o)}
          className={`${button.base} ${button.secondary} h-8 px-2.5`}
        >
          {open ? "Hide limits" : "Set limits"}
          <span className="sr-only"> for {name}</span>
        </button>
      </div>
      {open ? (
        <fieldset id={`${id}-panel`} className="min-w-0 space-y-3">
          <legend className="sr-only">Limits of {name}</legend>
          <LimitsEditor
            id={id}
            data={shown}
            saved={`Limits of ${name} saved.`}
            save={async (body) => {
              const r = await setKeyLimitsAction({ keyId: item.id, ...body });
              if (r.ok) setShown(r.limits);
              return r;
            }}
          />
        </fieldset>
      ) : null}
    </li>
  );
}

function LimitMeters({ data }: { data: LimitsView }) {
  if (!data?.limits.length) return null;
  return (
    <ul className="space-y-2 text-sm" aria-label="Use against your limits">
      {data.limits.map((l) => {
        const pct = Math.round(l.ratio * 100);
        const warn = l.ratio >= 0.8;
        return (
          <li key={`${l.period}-${l.unit}`} className="space-y-1">
            <div className="flex flex-wrap items-center justify-between gap-x-3">
              <span>
                {l.period === "day" ? "Today" : "This month"}: {amountText(l.unit, l.used)} of{" "}
                {amountText(l.unit, l.amount)}
              </span>
              <span
                className={
                  warn ? "inline-flex items-center gap-1 font-medium text-warning" : "text-muted-foreground"
                }
              >
                {warn ? <AlertTriangle className="size-3.5" aria-hidden /> : null}
                {pct}%{warn ? (l.ratio >= 1 ? " — limit reached" : " — nearly reached") : ""}
              </span>
            </div>
            <div className="h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden>
              <div
                className={`h-full rounded-full ${warn ? "bg-warning" : "bg-primary"}`}
                style={{ width: `${Math.min(100, pct)}%` }}
              />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
