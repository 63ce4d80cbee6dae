"use client";

import { FlaskConical, LoaderCircle, Plus, Trash2 } from "lucide-react";
import { type FormEvent, useEffect, useRef, useState, useTransition } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { COMPATIBLE_PRESETS, type ProviderInfo } from "@/lib/ai/registry";
import { hostOf } from "@/lib/keys/endpoints";
import { addKeyAction, removeEndpointAction, setEndpointEnabledAction, testKeyByIdAction } from "../actions";
import { KeyField } from "./key-field";
import { StatusBadge } from "./status-badge";
import { button } from "./styles";
import { TestResult, type TestView } from "./test-result";
import type { KeyDto } from "./types";

// The user's further OpenAI-compatible endpoints (Ollama next to OpenRouter, …): each a server
// of its own with its own base URL and key (or none), named so the chat's model picker can tell
// them apart. A chat on one of them runs there only: failover never moves to another endpoint.
// The typed key lives only in the add form's state and is cleared once saved; a stored key is
// never sent to a URL typed here (Test runs the saved endpoint against its saved URL).

export type EndpointView = { id: string; name: string; baseUrl: string | null; keys: KeyDto[] };

const small = "h-8 px-2.5";
const empty = { label: "", baseUrl: "", apiKey: "" };

export function Endpoints({
  info,
  first,
  endpoints,
}: {
  info: ProviderInfo;
  /** The first endpoint's first key (the card's own form). */
  first: KeyDto;
  /** The endpoints after the first, in order. */
  endpoints: EndpointView[];
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestView>>({});
  const [removing, setRemoving] = useState<EndpointView | null>(null);
  const [adding, setAdding] = useState(false);
  const [values, setValues] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [, startTransition] = useTransition();
  const addButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef<EndpointView[] | null>(null);
  useEffect(() => {
    if (refocus.current && refocus.current !== endpoints) {
      refocus.current = null;
      addButton.current?.focus();
    }
  });
  const id = (f: string) => `endpoint-new-${f}`;

  const run = (kind: string, work: () => Promise<void>) => {
    setPending(kind);
    startTransition(async () => {
      try {
        await work();
      } catch {
        toast.error("The server could not be reached. Try again.");
      } finally {
        setPending(null);
      }
    });
  };

  const toggle = (e: EndpointView, enabled: boolean) =>
    run(`toggle-${e.id}`, async () => {
      const r = await setEndpointEnabledAction({ id: e.id, enabled });
      if (!r.ok) return void toast.error(r.message);
      toast.success(enabled ? `${e.name} is on.` : `${e.name} is off (still stored).`);
    });

  const test = (e: EndpointView) =>
    run(`test-${e.id}`, async () => {
      const r = await testKeyByIdAction({ id: e.id });
      setTests((t) => ({ ...t, [e.id]: r.ok ? { report: r.test } : { error: r.message } }));
    });

  const remove = () => {
    const e = removing;
    if (!e) return;
    run(`remove-${e.id}`, async () => {
      const r = await removeEndpointAction({ id: e.id });
      setRemoving(null);
      if (!r.ok) return void toast.error(r.message);
      toast.success(`Endpoint ${e.name} removed.`);
      refocus.current = endpoints;
    });
  };

  const add = (ev: FormEvent) => {
    ev.preventDefault();
    if (pending) return;
    const label = values.label.trim();
    const baseUrl = values.baseUrl.trim();
    const apiKey = values.apiKey.trim();
    const problems: Record<string, string> = {};
    if (!label) problems.label = "Name the endpoint (for example Ollama).";
    if (!baseUrl) problems.baseUrl = "Enter the endpoint's base URL.";
    const same = [{ name: first.label ?? hostOf(first.baseUrl), baseUrl: first.baseUrl }, ...endpoints].find(
      (e) => e.baseUrl && e.baseUrl.replace(/\/+$/, "") === baseUrl.replace(/\/+$/, ""),
    );
    if (baseUrl && same)
      problems.baseUrl = `That is the base URL of ${same.name}. To add a key to it, use More keys.`;
    if (Object.keys(problems).length) {
      setErrors(problems);
      document.getElementById(id(problems.label ? "label" : "baseUrl"))?.focus();
      return;
    }
    run("add", async () => {
      setErrors({});
      const r = await addKeyAction({ provider: info.id, label, baseUrl, ...(apiKey ? { apiKey } : {}) });
      if (!r.ok) {
        setErrors(r.fieldErrors ?? { form: r.message });
        return;
      }
      setValues(empty);
      setAdding(false);
      toast.success(`Endpoint ${label} added. Its models are in the chat's model picker.`);
      refocus.current = endpoints;
    });
  };

  const headingId = "compatible-endpoints-title";
  return (
    <section aria-labelledby={headingId} className="space-y-3 border-t border-border pt-4">
      <div>
        <h3 id={headingId} className="text-sm font-semibold">
          More endpoints
        </h3>
        <p className="text-xs text-muted-foreground">
          Other OpenAI-compatible servers, each with its own name, base URL and key. The chat's model picker
          lists each endpoint's models under its name; a chat never moves to another endpoint.
        </p>
      </div>
      {endpoints.length > 0 ? (
        <ul className="space-y-2" aria-label="More OpenAI-compatible endpoints">
          {endpoints.map((e) => {
            const k = e.keys[0];
            const busy = pending !== null;
            const enabled = e.keys.some((x) => x.enabled);
            return (
              <li
                key={e.id}
                data-testid="endpoint"
                className="space-y-2 rounded-lg border border-border px-3 py-2.5"
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div className="min-w-0 text-sm">
                    <span className="font-medium">{e.name}</span>{" "}
                    <span className="font-mono text-muted-foreground">{k?.preview ?? "No key"}</span>
                    <span className="block truncate text-xs text-muted-foreground">
                      {hostOf(e.baseUrl)}
                      {e.keys.length > 1 ? ` · ${e.keys.length} keys` : ""}
                    </span>
                  </div>
                  {k ? <StatusBadge status={k.status} /> : null}
                </div>
                <div className="flex flex-wrap items-center gap-1.5">
                  <button
                    type="button"
                    aria-disabled={busy || undefined}
                    aria-busy={pending === `test-${e.id}` || undefined}
                    onClick={() => !busy && test(e)}
                    className={`${button.base} ${button.secondary} ${small}`}
                    aria-label={`Test: ${e.name}`}
                  >
                    {pending === `test-${e.id}` ? (
                      <LoaderCircle className="size-4 animate-spin" aria-hidden />
                    ) : (
                      <FlaskConical className="size-4" aria-hidden />
                    )}
                    Test
                  </button>
                  <button
                    type="button"
                    role="switch"
                    aria-checked={enabled}
                    aria-disabled={busy || undefined}
                    onClick={() => !busy && toggle(e, !enabled)}
                    className={`${button.base} ${button.secondary} ${small}`}
                    aria-label={`Use this endpoint: ${e.name}`}
                  >
                    <span
                      aria-hidden
                      className={`size-2 rounded-full ${enabled ? "bg-success" : "bg-muted-foreground/50"}`}
                    />
                    Use this endpoint
                  </button>
                  <button
                    type="button"
                    aria-disabled={busy || undefined}
                    onClick={() => !busy && setRemoving(e)}
                    className={`${button.base} ${button.danger} ${small}`}
                    aria-label={`Remove: ${e.name}`}
                  >
                    <Trash2 className="size-4" aria-hidden />
                    Remove
                  </button>
                </div>
                <TestResult view={tests[e.id] ?? null} info={info} />
              </li>
            );
          })}
        </ul>
      ) : null}

      {adding ? (
        <form onSubmit={add} className="space-y-3 rounded-lg border border-border p-3" noValidate>
          <fieldset className="flex flex-wrap items-center gap-1.5 text-sm">
            <legend className="float-left mr-1 text-muted-foreground">Presets:</legend>
            {COMPATIBLE_PRESETS.map((p) => (
              <button
                key={p.name}
                type="button"
                onClick={() => setValues({ label: p.name, baseUrl: p.baseUrl, apiKey: "" })}
                className="h-7 rounded-full border border-border px-2.5 text-xs font-medium hover:bg-muted"
              >
                {p.name}
              </button>
            ))}
          </fieldset>
          <div className="grid gap-3 sm:grid-cols-2">
            <KeyField
              id={id("label")}
              label="Name"
              value={values.label}
              onChange={(e) => setValues((v) => ({ ...v, label: e.target.value }))}
              error={errors.label}
              placeholder="e.g. Ollama"
              maxLength={60}
              autoComplete="off"
            />
            <KeyField
              id={id("baseUrl")}
              label="Base URL"
              type="url"
              inputMode="url"
              value={values.baseUrl}
              onChange={(e) => setValues((v) => ({ ...v, baseUrl: e.target.value }))}
              error={errors.baseUrl}
              placeholder="https://api.example.com/v1"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <KeyField
            id={id("apiKey")}
            label="API key (optional)"
            type="password"
            value={values.apiKey}
            onChange={(e) => setValues((v) => ({ ...v, apiKey: e.target.value }))}
            error={errors.apiKey ?? errors.form}
            hint="Leave empty for a local server that takes no key (Ollama, LM Studio, vLLM)."
            placeholder="The key this server expects"
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            data-1p-ignore
            data-lpignore="true"
          />
          <div className="flex flex-wrap gap-2">
            <button
              type="submit"
              aria-disabled={pending !== null || undefined}
              aria-busy={pending === "add" || undefined}
              className={`${button.base} ${button.primary}`}
            >
              {pending === "add" ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
              Add endpoint
            </button>
            <button
              type="button"
              onClick={() => {
                setAdding(false);
                setErrors({});
                setValues(empty);
                requestAnimationFrame(() => addButton.current?.focus());
              }}
              className={`${button.base} ${button.secondary}`}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button
          ref={addButton}
          type="button"
          onClick={() => {
            setAdding(true);
            requestAnimationFrame(() => document.getElementById(id("label"))?.focus());
          }}
          className={`${button.base} ${button.secondary}`}
        >
          <Plus className="size-4" aria-hidden />
          Add endpoint
        </button>
      )}

      <ConfirmDialog
        open={removing !== null}
        title={`Remove the endpoint “${removing?.name ?? ""}”?`}
        confirmLabel="Remove endpoint"
        pending={pending?.startsWith("remove-") ?? false}
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      >
        <p>Its stored key is deleted from this server. Your other endpoints stay as they are.</p>
        <p>To stop using it without deleting it, switch off “Use this endpoint” instead.</p>
      </ConfirmDialog>
    </section>
  );
}
