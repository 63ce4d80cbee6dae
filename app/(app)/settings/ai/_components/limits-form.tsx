"use client";

import { AlertTriangle } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { formatUsd } from "@/lib/ai/prices";
import type { ProviderId } from "@/lib/ai/registry";
import { setLimitsAction } from "../actions";
import { KeyField } from "./key-field";
import { button } from "./styles";
import type { ProviderLimits } from "./types";

// The user's own daily and monthly limits on their key for one provider (UTC days and months).
// The chat refuses a message that could go past one (BUDGET_EXCEEDED) and links here.

type Field = "dayUsd" | "monthUsd" | "dayTokens" | "monthTokens";
const FIELDS: { name: Field; period: "day" | "month"; unit: "usd" | "tokens"; label: string }[] = [
  { name: "dayUsd", period: "day", unit: "usd", label: "Daily limit ($)" },
  { name: "monthUsd", period: "month", unit: "usd", label: "Monthly limit ($)" },
  { name: "dayTokens", period: "day", unit: "tokens", label: "Daily limit (tokens)" },
  { name: "monthTokens", period: "month", unit: "tokens", label: "Monthly limit (tokens)" },
];

const amountText = (unit: "usd" | "tokens", n: number) =>
  unit === "usd" ? formatUsd(n) : `${n.toLocaleString()} tokens`;

function initialValues(data: ProviderLimits | null): Record<Field, string> {
  const v = { dayUsd: "", monthUsd: "", dayTokens: "", monthTokens: "" };
  for (const l of data?.limits ?? []) {
    const f = FIELDS.find((x) => x.period === l.period && x.unit === l.unit);
    if (f) v[f.name] = l.unit === "usd" ? String(l.amount / 1_000_000) : String(l.amount);
  }
  return v;
}

export function LimitsForm({
  provider,
  providerLabel,
  data,
}: {
  provider: ProviderId;
  providerLabel: string;
  data: ProviderLimits | null;
}) {
  const [values, setValues] = useState(() => initialValues(data));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, start] = useTransition();
  const save = () =>
    start(async () => {
      setErrors({});
      const body: Record<string, number | null> = {};
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
        const r = await setLimitsAction({ provider, ...body });
        if (r.ok) toast.success(`${providerLabel} limits saved.`);
        else setErrors(r.fieldErrors ?? { form: r.message });
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  const id = `limits-${provider}`;
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
          On your own {providerLabel} key, per UTC day and month; empty means no limit. A message that could
          go past a limit is not sent. Dollar amounts use our list prices: a model whose price is unknown
          counts against token limits only, a dollar limit cannot cover it.
        </p>
      </div>
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
        onClick={save}
        disabled={pending}
        className={`${button.base} ${button.secondary}`}
      >
        Save limits
      </button>
    </section>
  );
}

function LimitMeters({ data }: { data: ProviderLimits | null }) {
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
