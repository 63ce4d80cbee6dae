"use client";

import { ArrowDown, ArrowUp, FlaskConical, LoaderCircle, Plus, Trash2 } from "lucide-react";
import { type FormEvent, useEffect, useRef, useState, useTransition } from "react";
import { toast } from "sonner";
import type { ProviderInfo } from "@/lib/ai/registry";
import { addKeyAction, removeKeyByIdAction, testKeyByIdAction, updateKeyAction } from "../actions";
import { KeyField } from "./key-field";
import { RemoveDialog } from "./remove-dialog";
import { StatusBadge } from "./status-badge";
import { button } from "./styles";
import { TestResult, type TestView } from "./test-result";
import type { KeyDto } from "./types";

// A provider's further keys: tried in this order when the key above them is refused (invalid,
// out of credit, rate limited) before an answer starts. Each can be tested, switched off,
// moved or removed on its own; "Add another key" appends one. Plaintext lives only in the
// add form's state and is cleared once saved.

const small = "h-8 px-2.5";

function keyName(k: KeyDto, n: number): string {
  return k.label ?? `Key ${n}`;
}

export function MoreKeys({ info, first, others }: { info: ProviderInfo; first: KeyDto; others: KeyDto[] }) {
  const [pending, setPending] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestView>>({});
  const [removing, setRemoving] = useState<KeyDto | null>(null);
  const [adding, setAdding] = useState(false);
  const [values, setValues] = useState({ label: "", apiKey: "", baseUrl: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [, startTransition] = useTransition();
  const addButton = useRef<HTMLButtonElement>(null);
  // Where focus goes once the refreshed data has rendered (the control pressed may have moved
  // or gone): a key's control by element id, else the "Add another key" button.
  const refocus = useRef<{ after: KeyDto[]; elementId: string | null } | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (!want || want.after === others) return;
    const el = (want.elementId && document.getElementById(want.elementId)) || addButton.current;
    if (!el) return;
    refocus.current = null;
    el.focus();
  });
  const focusLater = (elementId: string | null) => {
    refocus.current = { after: others, elementId };
  };
  const compat = info.requiresBaseUrl;
  const id = (f: string) => `${info.id}-more-${f}`;

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

  const change = (k: KeyDto, n: number, c: { enabled?: boolean; move?: "up" | "down" }) =>
    run(`change-${k.id}`, async () => {
      const r = await updateKeyAction({ id: k.id, change: c });
      if (!r.ok) return void toast.error(r.message);
      if (c.move === "up" && n === 2) toast.success(`${keyName(k, n)} is now your first ${info.label} key.`);
      else if (c.move) toast.success(`${keyName(k, n)} moved ${c.move}.`);
      else toast.success(c.enabled ? `${keyName(k, n)} is on.` : `${keyName(k, n)} is off (still stored).`);
      // The row moved: keep focus on the same control of the same key (or, when it became the
      // first key and left this list, on "Add another key").
      if (c.move) focusLater(`key-${k.id}-${c.move}`);
    });

  const test = (k: KeyDto) =>
    run(`test-${k.id}`, async () => {
      const r = await testKeyByIdAction({ id: k.id });
      setTests((t) => ({ ...t, [k.id as string]: r.ok ? { report: r.test } : { error: r.message } }));
    });

  const remove = () => {
    const k = removing;
    if (!k) return;
    run(`remove-${k.id}`, async () => {
      const r = await removeKeyByIdAction({ id: k.id });
      setRemoving(null);
      if (!r.ok) return void toast.error(r.message);
      toast.success(`${info.label} key …${k.last4 ?? ""} removed.`);
      focusLater(null);
    });
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    run("add", async () => {
      setErrors({});
      const r = await addKeyAction({
        provider: info.id,
        apiKey: values.apiKey,
        ...(values.label.trim() ? { label: values.label.trim() } : {}),
        ...(compat ? { baseUrl: values.baseUrl.trim() || (first.baseUrl ?? "") } : {}),
      });
      if (!r.ok) {
        setErrors(r.fieldErrors ?? { apiKey: r.message });
        return;
      }
      setValues({ label: "", apiKey: "", baseUrl: "" });
      setAdding(false);
      toast.success(
        `${info.label} key added as number ${(r.key.position ?? 0) + 1}. Press Test to check it.`,
      );
      focusLater(null);
    });
  };

  const headingId = `${info.id}-more-title`;
  return (
    <section aria-labelledby={headingId} className="space-y-3 border-t border-border pt-4">
      <div>
        <h3 id={headingId} className="text-sm font-semibold">
          More {info.label} keys
        </h3>
        <p className="text-xs text-muted-foreground">
          When a key is refused before the answer starts (invalid, out of credit or rate limited), the chat
          tries the next one, in this order. The answer says which key answered.
        </p>
      </div>
      {others.length > 0 ? (
        <ol className="space-y-2" aria-label={`More ${info.label} keys, in the order chats try them`}>
          {others.map((k, i) => {
            const n = i + 2;
            const busy = pending !== null;
            const view = tests[k.id as string] ?? null;
            return (
              <li
                key={k.id}
                data-testid="more-key"
                className="space-y-2 rounded-lg border border-border px-3 py-2.5"
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div className="min-w-0 text-sm">
                    <span className="font-medium">
                      {n}. {keyName(k, n)}
                    </span>{" "}
                    <span className="font-mono text-muted-foreground">{k.preview}</span>
                    {compat && k.baseUrl ? (
                      <span className="block truncate text-xs text-muted-foreground">{k.baseUrl}</span>
                    ) : null}
                  </div>
                  <StatusBadge status={k.status} />
                </div>
                <div className="flex flex-wrap items-center gap-1.5">
                  <button
                    id={`key-${k.id}-up`}
                    type="button"
                    aria-disabled={busy || undefined}
                    onClick={() => !busy && change(k, n, { move: "up" })}
                    className={`${button.base} ${button.secondary} ${small}`}
                    aria-label={n === 2 ? `Make first: ${keyName(k, n)}` : `Up: ${keyName(k, n)}`}
                  >
                    <ArrowUp className="size-4" aria-hidden />
                    {n === 2 ? "Make first" : "Up"}
                  </button>
                  {i < others.length - 1 ? (
                    <button
                      id={`key-${k.id}-down`}
                      type="button"
                      aria-disabled={busy || undefined}
                      onClick={() => !busy && change(k, n, { move: "down" })}
                      className={`${button.base} ${button.secondary} ${small}`}
                      aria-label={`Down: ${keyName(k, n)}`}
                    >
                      <ArrowDown className="size-4" aria-hidden />
                      Down
                    </button>
                  ) : null}
                  <button
                    type="button"
                    aria-disabled={busy || undefined}
                    aria-busy={pending === `test-${k.id}` || undefined}
                    onClick={() => !busy && test(k)}
                    className={`${button.base} ${button.secondary} ${small}`}
                    aria-label={`Test: ${keyName(k, n)}`}
                  >
                    {pending === `test-${k.id}` ? (
                      <LoaderCircle className="size-4 animate-spin" aria-hidden />
                    ) : (
                      <FlaskConical className="size-4" aria-hidden />
                    )}
                    Test
                  </button>
                  <button
                    type="button"
                    role="switch"
                    aria-checked={k.enabled}
                    aria-disabled={busy || undefined}
                    onClick={() => !busy && change(k, n, { enabled: !k.enabled })}
                    className={`${button.base} ${button.secondary} ${small}`}
                    aria-label={`Use this key: ${keyName(k, n)}`}
                  >
                    <span
                      aria-hidden
                      className={`size-2 rounded-full ${k.enabled ? "bg-success" : "bg-muted-foreground/50"}`}
                    />
                    Use this key
                  </button>
                  <button
                    type="button"
                    aria-disabled={busy || undefined}
                    onClick={() => !busy && setRemoving(k)}
                    className={`${button.base} ${button.danger} ${small}`}
                    aria-label={`Remove: ${keyName(k, n)}`}
                  >
                    <Trash2 className="size-4" aria-hidden />
                    Remove
                  </button>
                </div>
                <TestResult view={view} info={info} />
              </li>
            );
          })}
        </ol>
      ) : null}

      {adding ? (
        <form onSubmit={add} className="space-y-3 rounded-lg border border-border p-3" noValidate>
          <div className="grid gap-3 sm:grid-cols-2">
            <KeyField
              id={id("label")}
              label="Name (optional)"
              value={values.label}
              onChange={(e) => setValues((v) => ({ ...v, label: e.target.value }))}
              error={errors.label}
              placeholder="e.g. Work"
              maxLength={60}
              autoComplete="off"
            />
            <KeyField
              id={id("apiKey")}
              label="API key"
              type="password"
              value={values.apiKey}
              onChange={(e) => setValues((v) => ({ ...v, apiKey: e.target.value }))}
              error={errors.apiKey ?? errors.form}
              placeholder={compat ? "The key your server expects" : info.keyFormatHint}
              autoComplete="off"
              autoCapitalize="off"
              autoCorrect="off"
              spellCheck={false}
              data-1p-ignore
              data-lpignore="true"
            />
          </div>
          {compat ? (
            <KeyField
              id={id("baseUrl")}
              label="Base URL"
              type="url"
              inputMode="url"
              value={values.baseUrl}
              onChange={(e) => setValues((v) => ({ ...v, baseUrl: e.target.value }))}
              error={errors.baseUrl}
              placeholder={first.baseUrl ?? "https://api.example.com/v1"}
              hint="Empty: the same endpoint as your first key. Chats fail over only between keys of one endpoint."
              autoComplete="off"
              spellCheck={false}
            />
          ) : null}
          <div className="flex flex-wrap gap-2">
            <button
              type="submit"
              aria-disabled={pending !== null || undefined}
              aria-busy={pending === "add" || undefined}
              className={`${button.base} ${button.primary}`}
            >
              {pending === "add" ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
              Add key
            </button>
            <button
              type="button"
              onClick={() => {
                setAdding(false);
                setErrors({});
                setValues({ label: "", apiKey: "", baseUrl: "" });
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
          Add another key
        </button>
      )}

      <RemoveDialog
        open={removing !== null}
        providerLabel={
          removing ? `${info.label} “${keyName(removing, others.indexOf(removing) + 2)}”` : info.label
        }
        afterRemoval="Your other keys stay as they are."
        pending={pending?.startsWith("remove-") ?? false}
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      />
    </section>
  );
}
