"use client";

import { RefreshCw } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { priceOf } from "@/lib/ai/prices";
import { getProvider, type ProviderId } from "@/lib/ai/registry";
import { refreshModelsAction } from "../actions";
import { LocalTime } from "./local-time";
import { button } from "./styles";
import type { ModelCache } from "./types";

const FAILURES: Record<string, string> = {
  invalid_key: "the provider rejected the key",
  forbidden: "the provider refused the key",
  rate_limited: "the provider is rate limiting this key",
  no_credit: "the key has no credit",
  unavailable: "the provider could not be reached or did not answer with a model list",
  timeout: "the provider took too long",
};

const perMillion = (n: number) => `$${n < 1 ? n.toFixed(3).replace(/0+$/, "") : n.toFixed(2)}`;

/** The models the provider lists for the saved key, with our list price where we know it. */
export function ModelList({ provider, cache }: { provider: ProviderId; cache: ModelCache | null }) {
  const [pending, start] = useTransition();
  const [open, setOpen] = useState(false);
  const refresh = () =>
    start(async () => {
      try {
        const r = await refreshModelsAction({ provider });
        if (!r.ok) toast.error(r.message);
        else if (!r.refresh.ok)
          toast.error(
            `The model list was not refreshed: ${FAILURES[r.refresh.failure] ?? "the request failed"}.`,
          );
        else toast.success(`${r.refresh.cache.models.filter((m) => !m.goneAt).length} models listed.`);
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  const models = cache?.models ?? [];
  const gone = models.filter((m) => m.goneAt);
  const live = models.filter((m) => !m.goneAt);
  const id = `models-${provider}`;
  return (
    <section className="space-y-2 border-t border-border pt-4" aria-labelledby={`${id}-title`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0 text-sm">
          <h3 id={`${id}-title`} className="font-medium">
            Models for this key
            {/* Each provider card has one: the provider in the name tells the regions apart. */}
            <span className="sr-only"> ({getProvider(provider).label})</span>
          </h3>
          <p className="text-muted-foreground" data-testid={`${id}-summary`}>
            {cache?.fetchedAt ? (
              <>
                {live.length} listed by the provider
                {gone.length ? `, ${gone.length} no longer listed` : ""} · updated{" "}
                <LocalTime iso={cache.fetchedAt} />
                {cache.stale ? " (over a day ago)" : ""}
              </>
            ) : (
              "Not listed yet: refresh to fetch the models this key can use."
            )}
          </p>
        </div>
        <div className="flex gap-2">
          {models.length ? (
            <button
              type="button"
              className={`${button.base} ${button.secondary}`}
              aria-expanded={open}
              aria-controls={`${id}-list`}
              onClick={() => setOpen((o) => !o)}
            >
              {open ? "Hide models" : "Show models"}
            </button>
          ) : null}
          <button
            type="button"
            onClick={refresh}
            disabled={pending}
            className={`${button.base} ${button.secondary}`}
          >
            <RefreshCw className={`size-4 ${pending ? "animate-spin" : ""}`} aria-hidden />
            Refresh list
          </button>
        </div>
      </div>
      {open ? (
        <ul
          id={`${id}-list`}
          className="max-h-64 divide-y divide-border overflow-y-auto rounded-lg border border-border text-sm"
        >
          {models.map((m) => {
            const price = priceOf(provider, m.id);
            return (
              <li key={m.id} className="flex flex-wrap items-baseline justify-between gap-x-3 px-3 py-1.5">
                <span
                  className={`font-mono text-[13px] ${m.goneAt ? "text-muted-foreground line-through" : ""}`}
                >
                  {m.id}
                </span>
                <span className="text-xs text-muted-foreground">
                  {m.goneAt
                    ? "no longer listed"
                    : price
                      ? `${perMillion(price.input)} in · ${perMillion(price.output)} out per 1M tokens`
                      : "price unknown"}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
