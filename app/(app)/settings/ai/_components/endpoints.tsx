"use client";

import { useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import type { ProviderInfo } from "@/lib/ai/registry";
import { hostOf } from "@/lib/keys/endpoints";
import { addKeyAction, removeEndpointAction, setEndpointEnabledAction, testKeyByIdAction } from "../actions";
import { AddKeyForm, KeyList, KeyRow, useRefocus } from "./key-list";
import type { TestView } from "./test-result";
import type { KeyDto } from "./types";
import { useRun } from "./use-run";

// The user's further OpenAI-compatible endpoints (Ollama next to OpenRouter, …): each a server
// of its own with its own base URL and keys (or none), named so the chat's model picker can tell
// them apart. A chat on one of them runs there only: failover moves only between its own keys.
// A stored key is never sent to a URL typed here (Test runs the saved endpoint's first key
// against its saved URL).

export type EndpointView = { id: string; name: string; baseUrl: string | null; keys: KeyDto[] };

const trimmed = (url: string | null | undefined) => (url ?? "").trim().replace(/\/+$/, "");

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
  const { pending, run } = useRun();
  const [tests, setTests] = useState<Record<string, TestView>>({});
  const [removing, setRemoving] = useState<EndpointView | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const focusLater = useRefocus(endpoints, addButton);

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
      focusLater(null);
    });
  };

  const check = (v: { label: string; baseUrl: string }) => {
    const problems: Record<string, string> = {};
    if (!v.label.trim()) problems.label = "Name the endpoint (for example Ollama).";
    const url = trimmed(v.baseUrl);
    if (!url) problems.baseUrl = "Enter the endpoint's base URL.";
    const same = [{ name: first.label ?? hostOf(first.baseUrl), baseUrl: first.baseUrl }, ...endpoints].find(
      (e) => e.baseUrl && trimmed(e.baseUrl) === url,
    );
    if (url && same)
      problems.baseUrl = `That is the base URL of ${same.name}. To add a key to it, use “Add another key” there.`;
    return problems;
  };

  const headingId = "compatible-endpoints-title";
  return (
    <section aria-labelledby={headingId} className="space-y-3 border-t border-border pt-4">
      <div>
        <h3 id={headingId} className="text-sm font-semibold">
          More endpoints
        </h3>
        <p className="text-xs text-muted-foreground">
          Other OpenAI-compatible servers, each with its own name, base URL and keys. The chat's model picker
          lists each endpoint's models under its name; a chat never moves to another endpoint.
        </p>
      </div>
      {endpoints.length > 0 ? (
        <ul className="space-y-2" aria-label="More OpenAI-compatible endpoints">
          {endpoints.map((e) => (
            <Endpoint
              key={e.id}
              e={e}
              info={info}
              busy={pending !== null}
              testing={pending === `test-${e.id}`}
              test={tests[e.id] ?? null}
              onTest={() => test(e)}
              onToggle={(enabled) => toggle(e, enabled)}
              onRemove={() => setRemoving(e)}
            />
          ))}
        </ul>
      ) : null}

      <AddKeyForm
        idPrefix="endpoint-new"
        openLabel="Add endpoint"
        openRef={addButton}
        submitLabel="Add endpoint"
        presets
        fields={{
          name: { label: "Name", placeholder: "e.g. Ollama" },
          baseUrl: { placeholder: "https://api.example.com/v1" },
          apiKey: {
            label: "API key (optional)",
            placeholder: "The key this server expects",
            hint: "Leave empty for a local server that takes no key (Ollama, LM Studio, vLLM).",
          },
        }}
        check={check}
        save={(v) => {
          const apiKey = v.apiKey.trim();
          return addKeyAction({
            provider: info.id,
            label: v.label.trim(),
            baseUrl: v.baseUrl.trim(),
            ...(apiKey ? { apiKey } : {}),
          });
        }}
        onSaved={(_key, v) => {
          toast.success(`Endpoint ${v.label.trim()} added. Its models are in the chat's model picker.`);
          focusLater(null);
        }}
      />

      <ConfirmDialog
        open={removing !== null}
        title={`Remove the endpoint “${removing?.name ?? ""}”?`}
        confirmLabel="Remove endpoint"
        pending={pending?.startsWith("remove-") ?? false}
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      >
        <p>Its stored keys are deleted from this server. Your other endpoints stay as they are.</p>
        <p>To stop using it without deleting it, switch off “Use this endpoint” instead.</p>
      </ConfirmDialog>
    </section>
  );
}

/** One further endpoint: its first key's row (the endpoint's own buttons), then its other keys. */
function Endpoint({
  e,
  info,
  busy,
  testing,
  test,
  onTest,
  onToggle,
  onRemove,
}: {
  e: EndpointView;
  info: ProviderInfo;
  busy: boolean;
  testing: boolean;
  test: TestView | null;
  onTest: () => void;
  onToggle: (enabled: boolean) => void;
  onRemove: () => void;
}) {
  // Stable while the page's data is: the list's focus handling waits for a new array.
  const others = useMemo(() => e.keys.slice(1), [e.keys]);
  const k = e.keys[0];
  if (!k) return null;
  const enabled = e.keys.some((x) => x.enabled);
  return (
    <KeyRow
      testId="endpoint"
      title={e.name}
      name={e.name}
      preview={k.preview}
      sub={`${hostOf(e.baseUrl)}${e.keys.length > 1 ? ` · ${e.keys.length} keys` : ""}`}
      status={k.status}
      info={info}
      busy={busy}
      testing={testing}
      onTest={onTest}
      switchLabel="Use this endpoint"
      enabled={enabled}
      onToggle={() => onToggle(!enabled)}
      renames={k}
      onRemove={onRemove}
      test={test}
    >
      <div className="space-y-2 border-t border-border pt-2">
        <KeyList
          info={info}
          first={k}
          others={others}
          idPrefix={`endpoint-${e.id}-more`}
          listLabel={`More keys of ${e.name}, in the order chats try them`}
          firstOf={`the first key of ${e.name}`}
          addAriaLabel={`Add another key to ${e.name}`}
        />
      </div>
    </KeyRow>
  );
}
