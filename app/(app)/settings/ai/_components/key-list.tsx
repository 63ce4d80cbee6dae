"use client";

import { ArrowDown, ArrowUp, FlaskConical, LoaderCircle, Pencil, Plus, Trash2 } from "lucide-react";
import {
  type ButtonHTMLAttributes,
  type FormEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useRef,
  useState,
} from "react";
import { toast } from "sonner";
import type { ProviderInfo } from "@/lib/ai/registry";
import type { KeyDisplayStatus } from "@/lib/keys/policy";
import { addKeyAction, removeKeyByIdAction, testKeyByIdAction, updateKeyAction } from "../actions";
import { KeyField, KeyFields, type KeyFieldValues } from "./key-field";
import { RemoveDialog } from "./remove-dialog";
import { StatusBadge } from "./status-badge";
import { button } from "./styles";
import { TestResult, type TestView } from "./test-result";
import type { ActionResult, KeyDto } from "./types";
import { useRun } from "./use-run";

// The parts of a list of keys shared by "More keys" and each OpenAI-compatible endpoint: a row
// per key (number, name, masked preview, status; Test, the switch, Make first/Up/Down, Rename,
// Remove), the "Add another key" form, and the rename control every key has (the first key's
// too, on its card). Plaintext lives only in an add form's state and is cleared once saved.

const small = "h-8 px-2.5";
const empty: KeyFieldValues = { label: "", baseUrl: "", apiKey: "" };
const spinner = <LoaderCircle className="size-4 animate-spin" aria-hidden />;

export function keyName(k: KeyDto, n: number): string {
  return k.label ?? `Key ${n}`;
}

/**
 * Where focus goes once `data` (the list shown) has been refreshed after an action: the control
 * pressed may have moved or gone. An element id, else `fallback` ("Add another key").
 */
export function useRefocus(data: unknown, fallback: RefObject<HTMLElement | null>) {
  const want = useRef<{ after: unknown; elementId: string | null } | null>(null);
  useEffect(() => {
    const w = want.current;
    if (!w || w.after === data) return;
    const el = (w.elementId && document.getElementById(w.elementId)) || fallback.current;
    if (!el) return;
    want.current = null;
    el.focus();
  });
  return (elementId: string | null) => {
    want.current = { after: data, elementId };
  };
}

/** "Rename": an inline field for the key's name (empty clears it); focus comes back to the button. */
export function RenameKey({ k, name }: { k: KeyDto; name: string }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const { pending, run } = useRun();
  const buttonId = `key-${k.id}-rename`;
  const fieldId = `key-${k.id}-label`;
  // Focus moves once the change is on screen: the field when it opens, the button when it
  // closes. A close after a save happens inside the action's transition, which commits only
  // with the refreshed page: a focus call made at once would find no button yet.
  const moveFocus = useRef(false);
  useEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    document.getElementById(open ? fieldId : buttonId)?.focus();
  }, [open, fieldId, buttonId]);
  const close = () => {
    moveFocus.current = true;
    setOpen(false);
    setError(undefined);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pending || !k.id) return;
    const id = k.id;
    run("rename", async () => {
      const label = value.trim();
      const r = await updateKeyAction({ id, change: { label: label || null } });
      if (!r.ok) {
        setError(r.fieldErrors?.["change.label"] ?? r.fieldErrors?.label ?? r.message);
        document.getElementById(fieldId)?.focus();
        return;
      }
      toast.success(label ? `${name} renamed to ${label}.` : `${name}: name cleared.`);
      close();
    });
  };
  if (!open)
    return (
      <RowButton
        id={buttonId}
        label="Rename"
        aria={`Rename: ${name}`}
        icon={<Pencil className="size-4" aria-hidden />}
        busy={false}
        onPress={() => {
          setValue(k.label ?? "");
          moveFocus.current = true;
          setOpen(true);
        }}
      />
    );
  return (
    <form onSubmit={submit} className="flex basis-full flex-wrap items-start gap-1.5" noValidate>
      <div className="min-w-48 flex-1">
        <KeyField
          id={fieldId}
          label={`New name for ${name}`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={error}
          hint="Leave empty to remove the name."
          maxLength={60}
          autoComplete="off"
          onKeyDown={(e) => e.key === "Escape" && close()}
        />
      </div>
      <div className="flex gap-1.5 pt-7">
        <SubmitCancel label="Save name" pending={pending !== null} onCancel={close} size={small} />
      </div>
    </form>
  );
}

type Row = {
  /** The first line: "2. Spare", or an endpoint's name. */
  title: ReactNode;
  /** The name the row's buttons are labelled with ("Test: Spare"). */
  name: string;
  preview: string | null;
  sub?: ReactNode;
  status?: KeyDisplayStatus | null;
  testId: string;
  info: ProviderInfo;
  busy: boolean;
  testing: boolean;
  onTest: () => void;
  switchLabel: string;
  enabled: boolean;
  onToggle: () => void;
  /** Up ("Make first" when it becomes the first) and Down, by the key's element ids. */
  move?: { id: string; up: "Up" | "Make first"; down: boolean; onMove: (dir: "up" | "down") => void };
  /** The key the Rename control renames. */
  renames: KeyDto;
  onRemove: () => void;
  test: TestView | null;
  children?: ReactNode;
};

/** A row's button: aria-disabled while any action runs (a disabled button would drop focus). */
function RowButton({
  label,
  aria,
  icon,
  busy,
  onPress,
  danger = false,
  ...rest
}: {
  label: string;
  aria: string;
  icon: ReactNode;
  busy: boolean;
  onPress: () => void;
  danger?: boolean;
} & Pick<ButtonHTMLAttributes<HTMLButtonElement>, "id" | "role" | "aria-checked" | "aria-busy">) {
  return (
    <button
      type="button"
      aria-disabled={busy || undefined}
      onClick={() => !busy && onPress()}
      className={`${button.base} ${danger ? button.danger : button.secondary} ${small}`}
      aria-label={aria}
      {...rest}
    >
      {icon}
      {label}
    </button>
  );
}

/** One key (or endpoint) of a list, with its buttons and its last test's result. */
export function KeyRow(p: Row) {
  const icon = (I: typeof Trash2) => <I className="size-4" aria-hidden />;
  const move = (dir: "up" | "down", label: string, I: typeof Trash2) =>
    p.move ? (
      <RowButton
        id={`key-${p.move.id}-${dir}`}
        label={label}
        aria={`${label}: ${p.name}`}
        icon={icon(I)}
        busy={p.busy}
        onPress={() => p.move?.onMove(dir)}
      />
    ) : null;
  return (
    <li data-testid={p.testId} className="space-y-2 rounded-lg border border-border px-3 py-2.5">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0 text-sm">
          <span className="font-medium">{p.title}</span>{" "}
          <span className="font-mono text-muted-foreground">{p.preview ?? "No key"}</span>
          {p.sub ? <span className="block truncate text-xs text-muted-foreground">{p.sub}</span> : null}
        </div>
        {p.status ? <StatusBadge status={p.status} /> : null}
      </div>
      <div className="flex flex-wrap items-center gap-1.5">
        {p.move ? move("up", p.move.up, ArrowUp) : null}
        {p.move?.down ? move("down", "Down", ArrowDown) : null}
        <RowButton
          label="Test"
          aria={`Test: ${p.name}`}
          icon={p.testing ? spinner : icon(FlaskConical)}
          busy={p.busy}
          onPress={p.onTest}
          aria-busy={p.testing || undefined}
        />
        <RowButton
          role="switch"
          aria-checked={p.enabled}
          label={p.switchLabel}
          aria={`${p.switchLabel}: ${p.name}`}
          icon={
            <span
              aria-hidden
              className={`size-2 rounded-full ${p.enabled ? "bg-success" : "bg-muted-foreground/50"}`}
            />
          }
          busy={p.busy}
          onPress={p.onToggle}
        />
        <RenameKey k={p.renames} name={p.name} />
        <RowButton
          label="Remove"
          aria={`Remove: ${p.name}`}
          icon={icon(Trash2)}
          busy={p.busy}
          onPress={p.onRemove}
          danger
        />
      </div>
      <TestResult view={p.test} info={p.info} />
      {p.children}
    </li>
  );
}

/** Submit (spinning while `pending`) and Cancel, for the add and rename forms. */
function SubmitCancel({
  label,
  pending,
  onCancel,
  size = "",
}: {
  label: string;
  pending: boolean;
  onCancel: () => void;
  size?: string;
}) {
  return (
    <>
      <button
        type="submit"
        aria-disabled={pending || undefined}
        aria-busy={pending || undefined}
        className={`${button.base} ${button.primary} ${size}`}
      >
        {pending ? spinner : null}
        {label}
      </button>
      <button type="button" onClick={onCancel} className={`${button.base} ${button.secondary} ${size}`}>
        Cancel
      </button>
    </>
  );
}

type AddProps = {
  idPrefix: string;
  /** The button that opens the form, and its accessible name when it needs more than its text. */
  openLabel: string;
  openAriaLabel?: string;
  openRef: RefObject<HTMLButtonElement | null>;
  submitLabel: string;
  fields: Pick<Parameters<typeof KeyFields>[0], "name" | "baseUrl" | "apiKey">;
  presets?: boolean;
  /** Problems found before asking the server (field → message). */
  check?: (values: KeyFieldValues) => Record<string, string>;
  save: (values: KeyFieldValues) => Promise<ActionResult<{ key: KeyDto }>>;
  onSaved: (key: KeyDto, values: KeyFieldValues) => void;
};

/** "Add another key" / "Add endpoint": a button that opens the key's fields; errors stay on them. */
export function AddKeyForm(p: AddProps) {
  const [adding, setAdding] = useState(false);
  const [values, setValues] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { pending, run } = useRun();
  const fieldId = (f: string) => `${p.idPrefix}-${f}`;
  const firstField = p.fields.name ? "label" : "apiKey";
  const reset = () => {
    setAdding(false);
    setErrors({});
    setValues(empty);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    const problems = p.check?.(values) ?? {};
    const first = Object.keys(problems)[0];
    if (first) {
      setErrors(problems);
      document.getElementById(fieldId(first))?.focus();
      return;
    }
    run("add", async () => {
      setErrors({});
      const r = await p.save(values);
      if (!r.ok) {
        setErrors(r.fieldErrors ?? { form: r.message });
        return;
      }
      const saved = values;
      reset();
      p.onSaved(r.key, saved);
    });
  };

  if (!adding)
    return (
      <button
        ref={p.openRef}
        type="button"
        onClick={() => {
          setAdding(true);
          requestAnimationFrame(() => document.getElementById(fieldId(firstField))?.focus());
        }}
        className={`${button.base} ${button.secondary}`}
        aria-label={p.openAriaLabel}
      >
        <Plus className="size-4" aria-hidden />
        {p.openLabel}
      </button>
    );
  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg border border-border p-3" noValidate>
      <KeyFields
        idPrefix={p.idPrefix}
        values={values}
        errors={errors}
        onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))}
        {...p.fields}
        {...(p.presets
          ? { onPreset: (x) => setValues({ label: x.name, baseUrl: x.baseUrl, apiKey: "" }) }
          : {})}
      />
      <div className="flex flex-wrap gap-2">
        <SubmitCancel
          label={p.submitLabel}
          pending={pending !== null}
          onCancel={() => {
            reset();
            requestAnimationFrame(() => p.openRef.current?.focus());
          }}
        />
      </div>
    </form>
  );
}

/**
 * The keys after a first one (a provider's, or one OpenAI-compatible endpoint's), tried in this
 * order when the key above is refused before an answer starts, and "Add another key" for more
 * (OpenAI-compatible: at `first`'s base URL, so the key joins that endpoint).
 */
export function KeyList({
  info,
  first,
  others,
  idPrefix,
  listLabel,
  firstOf,
  addAriaLabel,
}: {
  info: ProviderInfo;
  first: KeyDto;
  /** The keys after `first`, in order; a new array when the page's data is refreshed. */
  others: KeyDto[];
  idPrefix: string;
  listLabel: string;
  /** "your first OpenAI key", "the first key of Beta": what "Make first" makes a key. */
  firstOf: string;
  addAriaLabel?: string;
}) {
  const { pending, run } = useRun();
  const [tests, setTests] = useState<Record<string, TestView>>({});
  const [removing, setRemoving] = useState<KeyDto | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const focusLater = useRefocus(others, addButton);
  const compat = info.requiresBaseUrl;

  const change = (k: KeyDto, n: number, c: { enabled?: boolean; move?: "up" | "down" }) =>
    run(`change-${k.id}`, async () => {
      const r = await updateKeyAction({ id: k.id, change: c });
      if (!r.ok) return void toast.error(r.message);
      if (c.move === "up" && n === 2) toast.success(`${keyName(k, n)} is now ${firstOf}.`);
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

  return (
    <>
      {others.length > 0 ? (
        <ol className="space-y-2" aria-label={listLabel}>
          {others.map((k, i) => {
            const n = i + 2;
            return (
              <KeyRow
                key={k.id}
                testId="more-key"
                title={`${n}. ${keyName(k, n)}`}
                name={keyName(k, n)}
                preview={k.preview}
                status={k.status}
                info={info}
                busy={pending !== null}
                testing={pending === `test-${k.id}`}
                onTest={() => test(k)}
                switchLabel="Use this key"
                enabled={k.enabled}
                onToggle={() => change(k, n, { enabled: !k.enabled })}
                move={{
                  id: k.id as string,
                  up: n === 2 ? "Make first" : "Up",
                  down: i < others.length - 1,
                  onMove: (dir) => change(k, n, { move: dir }),
                }}
                renames={k}
                onRemove={() => setRemoving(k)}
                test={tests[k.id as string] ?? null}
              />
            );
          })}
        </ol>
      ) : null}
      <AddKeyForm
        idPrefix={idPrefix}
        openLabel="Add another key"
        {...(addAriaLabel ? { openAriaLabel: addAriaLabel } : {})}
        openRef={addButton}
        submitLabel="Add key"
        fields={{
          name: { label: "Name (optional)", placeholder: "e.g. Work" },
          apiKey: {
            label: "API key",
            placeholder: compat ? "The key your server expects" : info.keyFormatHint,
          },
        }}
        save={(v) =>
          addKeyAction({
            provider: info.id,
            apiKey: v.apiKey,
            ...(v.label.trim() ? { label: v.label.trim() } : {}),
            ...(compat ? { baseUrl: first.baseUrl ?? "" } : {}),
          })
        }
        onSaved={() => {
          toast.success(`${info.label} key added as number ${others.length + 2}. Press Test to check it.`);
          focusLater(null);
        }}
      />
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
    </>
  );
}
