"use client";

import { Trash2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { getProvider, type ProviderId } from "@/lib/ai/registry";
import { hostOf } from "@/lib/keys/endpoints";
import { removeKeyAction, saveKeyAction, testKeyAction, toggleKeyAction } from "../actions";
import type { EndpointView } from "./endpoints";
import { KeyDetails } from "./key-details";
import { KeyForm, type KeyFormValues } from "./key-form";
import { KeySwitch } from "./key-switch";
import { Endpoints, LimitsForm, ModelList, MoreKeys, RenameKey } from "./lazy";
import { RemoveDialog } from "./remove-dialog";
import { SetupGuide } from "./setup-guide";
import { sourceLine } from "./source-line";
import { StatusBadge } from "./status-badge";
import { button, card } from "./styles";
import { TestResult, type TestView } from "./test-result";
import type { KeyDto, ModelCache, ProviderLimits } from "./types";
import { useRun } from "./use-run";

// One provider: its status, the add/replace form, Test, the personal-key switch and Remove.
// The typed key lives only in this component's state and is cleared as soon as it is saved.

export function ProviderCard({
  dto,
  others = [],
  endpoints = [],
  models = null,
  limits = null,
}: {
  /** The provider's first key ("not_set" when none). */
  dto: KeyDto;
  /** Its further keys, in the order chats try them. */
  others?: KeyDto[];
  /** OpenAI-compatible: the endpoints after the first (their own base URLs), in order. */
  endpoints?: EndpointView[];
  models?: ModelCache | null;
  limits?: ProviderLimits | null;
}) {
  const info = getProvider(dto.provider as ProviderId);
  const [values, setValues] = useState<KeyFormValues>({
    apiKey: "",
    baseUrl: dto.baseUrl ?? "",
    label: dto.label ?? "",
    keyless: dto.keyless,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [test, setTest] = useState<TestView | null>(null);
  // One action at a time ("save", "test", "toggle", "remove"): the key lists' own runner.
  const { pending, run } = useRun();
  const [confirming, setConfirming] = useState(false);
  // What the last save or removal made true, until the refreshed page data arrives: Test
  // pressed in between must test the key just saved, not say there is none.
  const [localHasKey, setLocalHasKey] = useState<boolean | null>(null);
  // The form shows the first key's endpoint (its base URL and name, OpenAI-compatible): when the
  // first key changes (saved, removed, renamed, another made first) it follows, so a key
  // replaced later stays on its endpoint unless the URL is changed on purpose.
  const shown = `${dto.id}|${dto.baseUrl}|${dto.label}|${dto.keyless}`;
  const [shownFor, setShownFor] = useState(shown);
  if (shown !== shownFor) {
    setShownFor(shown);
    setValues((v) => ({ ...v, baseUrl: dto.baseUrl ?? "", label: dto.label ?? "", keyless: dto.keyless }));
  }
  useEffect(() => {
    if (dto) setLocalHasKey(null);
  }, [dto]);
  const hasKey = localHasKey ?? dto.hasKey;
  // After a removal the Remove button (where the dialog returns focus) goes away with the
  // refreshed data: focus then moves to the field for a new key, not to the page body.
  const focusKeyField = useRef(false);
  useEffect(() => {
    if (!dto.hasKey && focusKeyField.current) {
      focusKeyField.current = false;
      document.getElementById(`${info.id}-apiKey`)?.focus();
    }
  }, [dto.hasKey, info.id]);

  const compat = info.requiresBaseUrl;
  const typedExtras = () => ({
    ...(compat && values.baseUrl.trim() ? { baseUrl: values.baseUrl.trim() } : {}),
    ...(compat && values.label.trim() ? { label: values.label.trim() } : {}),
  });

  const save = () =>
    run("save", async () => {
      setErrors({});
      const keyless = compat && values.keyless;
      const r = await saveKeyAction({
        provider: info.id,
        ...(keyless ? {} : { apiKey: values.apiKey }),
        ...typedExtras(),
      });
      if (!r.ok) {
        setErrors(r.fieldErrors ?? { apiKey: r.message });
        return;
      }
      setValues((v) => ({ ...v, apiKey: "" }));
      setLocalHasKey(true);
      setTest(null);
      toast.success(`${info.label} key ${hasKey ? "replaced" : "saved"}. Press Test to check it.`);
    });

  const runTest = () =>
    run("test", async () => {
      setErrors({});
      const apiKey = values.apiKey.trim();
      const keyless = compat && values.keyless;
      if (!apiKey && !hasKey && !keyless) {
        setTest({ note: "Enter an API key to test it." });
        return;
      }
      const { label: _unused, ...extras } = typedExtras();
      const r = await testKeyAction(
        keyless
          ? { provider: info.id, keyless: true, ...extras }
          : apiKey
            ? { provider: info.id, apiKey, ...extras }
            : { provider: info.id },
      );
      if (r.ok) setTest({ report: r.test });
      else {
        setTest({ error: r.message });
        if (r.fieldErrors) setErrors(r.fieldErrors);
      }
    });

  const toggle = (enabled: boolean) =>
    run("toggle", async () => {
      const r = await toggleKeyAction({ provider: info.id, enabled });
      if (r.ok)
        toast.success(
          enabled ? `Using your ${info.label} key.` : `Your ${info.label} key is off (still stored).`,
        );
      else toast.error(r.message);
    });

  const remove = () =>
    run("remove", async () => {
      const r = await removeKeyAction({ provider: info.id });
      setConfirming(false);
      if (r.ok) {
        setLocalHasKey(false);
        setTest(null);
        setValues({ apiKey: "", baseUrl: "", label: "", keyless: false });
        toast.success(`${info.label} key removed.`);
        focusKeyField.current = true;
      } else toast.error(r.message);
    });

  const titleId = `provider-${info.id}-title`;
  // A stored key is never sent to a newly typed URL: a changed base URL moves only the key typed
  // here, and the endpoint's other keys stay where they are until each is entered again.
  const changedUrl =
    compat && dto.hasKey && values.baseUrl.trim() !== "" && values.baseUrl.trim() !== dto.baseUrl;
  const movedAlone =
    changedUrl && others.length > 0
      ? `Only the key you enter here moves to this URL. ${
          others.length === 1
            ? "Your other key for this endpoint stays"
            : `Your other ${others.length} keys for this endpoint stay`
        } at ${hostOf(dto.baseUrl) || "the old URL"}: enter each again to move it (a stored key is never sent to a new URL).`
      : undefined;
  return (
    <section aria-labelledby={titleId} className={`${card} space-y-4`}>
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={titleId} className="text-base font-semibold tracking-tight">
            {info.label}
          </h2>
          <p className="mt-0.5 text-sm text-muted-foreground">{sourceLine(dto, info.label)}</p>
        </div>
        <StatusBadge status={dto.status} />
      </div>

      <KeyDetails dto={dto} />

      <KeyForm
        info={info}
        hasKey={hasKey}
        values={values}
        errors={errors}
        pending={pending}
        onChange={setValues}
        onSave={save}
        onTest={runTest}
        {...(movedAlone ? { baseUrlHint: movedAlone } : {})}
      />
      <TestResult view={test} info={info} />

      {dto.hasKey ? (
        <div className="flex flex-wrap items-center justify-between gap-3 border-t border-border pt-4">
          <KeySwitch checked={dto.enabled} busy={pending === "toggle"} onChange={toggle} />
          <div className="flex flex-wrap items-center gap-2">
            <RenameKey
              k={dto}
              // An unnamed endpoint is shown by its host elsewhere on the card: the same here.
              name={dto.label ?? ((compat && hostOf(dto.baseUrl)) || "Key 1")}
            />
            <button
              type="button"
              onClick={() => setConfirming(true)}
              disabled={pending !== null}
              className={`${button.base} ${button.danger}`}
            >
              <Trash2 className="size-4" aria-hidden />
              Remove
            </button>
          </div>
        </div>
      ) : null}

      {dto.hasKey ? <MoreKeys info={info} first={dto} others={others} /> : null}
      {dto.hasKey && compat ? <Endpoints info={info} first={dto} endpoints={endpoints} /> : null}

      {/* What the keys can do, then what they may spend: after the keys themselves. */}
      {dto.hasKey ? <ModelList provider={info.id} cache={models} /> : null}
      {dto.hasKey || limits?.limits.length ? (
        <LimitsForm
          provider={info.id}
          providerLabel={info.label}
          data={limits}
          // Every key of the provider (OpenAI-compatible: of every endpoint) may have its own limits.
          keys={[dto, ...others, ...endpoints.flatMap((e) => e.keys)].flatMap((k) =>
            k.id ? [{ id: k.id, label: k.label, preview: k.preview }] : [],
          )}
        />
      ) : null}

      <SetupGuide info={info} />
      <RemoveDialog
        open={confirming}
        providerLabel={info.label}
        afterRemoval={
          others.length > 0
            ? `Your next ${info.label} key${others[0]?.label ? `, “${others[0].label}”,` : ""} becomes the first.`
            : dto.systemKeyAvailable && info.systemKeyEnv
              ? `Chats with ${info.label} will then use this server's key.`
              : `Chats with ${info.label} will then ask you to add a key.`
        }
        pending={pending === "remove"}
        onConfirm={remove}
        onClose={() => setConfirming(false)}
      />
    </section>
  );
}
