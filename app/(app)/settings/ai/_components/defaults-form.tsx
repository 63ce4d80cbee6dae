"use client";

import { LoaderCircle } from "lucide-react";
import { type FormEvent, useState, useTransition } from "react";
import { toast } from "sonner";
import { getProvider, PROVIDER_IDS, type ProviderId } from "@/lib/ai/registry";
import { setDefaultsAction } from "../actions";
import { KeyField } from "./key-field";
import { button, input } from "./styles";

type Props = { provider: ProviderId; model: string | null };

/** Default provider and model for new chats. A model is chosen from the provider's list (typed for compatible). */
export function DefaultsForm({ provider: initialProvider, model: initialModel }: Props) {
  const [provider, setProvider] = useState<ProviderId>(initialProvider);
  const [model, setModel] = useState(initialModel ?? "");
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const info = getProvider(provider);

  const changeProvider = (next: ProviderId) => {
    setProvider(next);
    setModel(getProvider(next).defaultModel ?? "");
    setError(undefined);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    startTransition(async () => {
      try {
        const r = await setDefaultsAction({ provider, model: model.trim() });
        if (r.ok) {
          setError(undefined);
          toast.success("Defaults saved for new chats.");
        } else setError(r.fieldErrors?.model ?? r.message);
      } catch {
        toast.error("The server could not be reached. Try again.");
      }
    });
  };

  return (
    <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end" noValidate>
      <div className="space-y-1.5">
        <label htmlFor="default-provider" className="block text-sm font-medium">
          Default provider
        </label>
        <select
          id="default-provider"
          value={provider}
          onChange={(e) => changeProvider(e.target.value as ProviderId)}
          className={input}
        >
          {PROVIDER_IDS.map((id) => (
            <option key={id} value={id}>
              {getProvider(id).label}
            </option>
          ))}
        </select>
      </div>
      {info.models.length > 0 ? (
        <div className="space-y-1.5">
          <label htmlFor="default-model" className="block text-sm font-medium">
            Default model
          </label>
          <select
            id="default-model"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "default-model-error" : undefined}
            className={input}
          >
            {info.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <KeyField
          id="default-model"
          label="Default model"
          value={model}
          onChange={(e) => setModel(e.target.value)}
          placeholder="e.g. llama3.2:3b"
          autoComplete="off"
          spellCheck={false}
        />
      )}
      <button
        type="submit"
        // aria-disabled, not disabled: the button keeps keyboard focus while the save runs.
        aria-disabled={pending || undefined}
        aria-busy={pending || undefined}
        className={`${button.base} ${button.primary} h-10`}
      >
        {pending ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
        Save defaults
      </button>
      {error ? (
        <p id="default-model-error" role="alert" className="text-sm text-destructive sm:col-span-3">
          {error}
        </p>
      ) : null}
    </form>
  );
}
