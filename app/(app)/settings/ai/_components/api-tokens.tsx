"use client";

import { Check, Copy, Trash2 } from "lucide-react";
import { useEffect, useState, useTransition } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import type { ApiTokenDto } from "@/lib/api-tokens/tokens";
import { createApiTokenAction, revokeApiTokenAction } from "../token-actions";
import { LocalTime } from "./local-time";
import { button, card, input } from "./styles";
import { TokenForm, type TokenFormValues } from "./token-form";

type Props = { tokens: ApiTokenDto[]; providers: { id: string; label: string }[] };

function scopeText(t: ApiTokenDto, labels: Map<string, string>): string {
  const providers = t.providers.length
    ? t.providers.map((p) => labels.get(p) ?? p).join(", ")
    : "All providers";
  const models = t.models.length ? t.models.join(", ") : "any model";
  return `${providers} · ${models}`;
}

const badge = "rounded-full px-2 py-0.5 text-xs font-medium";

// AI settings → API tokens: create (the token is shown once, here), list and revoke.
export function ApiTokensSection({ tokens, providers }: Props) {
  const [pending, start] = useTransition();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenDto | null>(null);
  // A new key remounts the form: empty again after a token was made.
  const [formKey, setFormKey] = useState(0);
  const [origin, setOrigin] = useState("https://your-server");
  useEffect(() => setOrigin(window.location.origin), []);
  const labels = new Map(providers.map((p) => [p.id, p.label]));

  const create = (v: TokenFormValues) =>
    start(async () => {
      setMessage(null);
      const models = v.models
        .split(/[\s,]+/)
        .map((m) => m.trim())
        .filter(Boolean);
      const res = await createApiTokenAction({ ...v, models });
      if (res.ok) {
        setErrors({});
        setCopied(false);
        setCreated({ token: res.token, name: res.dto.name });
        setFormKey((k) => k + 1);
      } else {
        // Field errors on models come as models.0, models.1…: show them under the field.
        const fe: Record<string, string> = {};
        for (const [k, m] of Object.entries(res.fieldErrors ?? {})) fe[k.split(".")[0] as string] ??= m;
        setErrors(fe);
        if (!res.fieldErrors) setMessage(res.message);
      }
    });

  const revoke = (t: ApiTokenDto) =>
    start(async () => {
      const res = await revokeApiTokenAction({ id: t.id });
      setRevoking(null);
      setMessage(res.ok ? `Token “${t.name}” revoked.` : res.message);
    });

  const copy = async () => {
    if (!created) return;
    await navigator.clipboard?.writeText(created.token).catch(() => undefined);
    setCopied(true);
  };

  return (
    <section id="api-tokens" aria-labelledby="tokens-title" className={`${card} space-y-5`}>
      <div className="space-y-1">
        <h2 id="tokens-title" className="text-base font-semibold tracking-tight">
          API tokens
        </h2>
        <p className="text-sm text-muted-foreground">
          Scripts, editor plugins and the OpenAI SDKs can use your keys through this server: point them at{" "}
          <code className="rounded bg-muted px-1 py-0.5 text-[13px] break-all">{origin}/v1</code> with a
          token. The token never reveals your keys, and you can revoke it at any time.
        </p>
      </div>

      {created ? (
        <div
          role="status"
          className="space-y-2 rounded-lg border border-primary/30 bg-primary-soft/60 p-3 text-sm"
        >
          <p className="font-medium">Copy your new token “{created.name}” now. It is not shown again.</p>
          <div className="flex flex-col gap-2 sm:flex-row">
            <input
              readOnly
              aria-label="Your new API token"
              value={created.token}
              onFocus={(e) => e.currentTarget.select()}
              className={`${input} font-mono text-[13px]`}
            />
            <div className="flex gap-2">
              <button type="button" onClick={copy} className={`${button.base} ${button.primary}`}>
                {copied ? <Check className="size-4" aria-hidden /> : <Copy className="size-4" aria-hidden />}
                {copied ? "Copied" : "Copy"}
              </button>
              <button
                type="button"
                onClick={() => setCreated(null)}
                className={`${button.base} ${button.secondary}`}
              >
                Done
              </button>
            </div>
          </div>
        </div>
      ) : null}

      <TokenForm key={formKey} providers={providers} errors={errors} pending={pending} onSubmit={create} />
      {message ? (
        <p role="status" className="text-sm text-muted-foreground">
          {message}
        </p>
      ) : null}

      {tokens.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-5 text-center text-sm text-muted-foreground">
          No tokens yet.
        </p>
      ) : (
        <ul aria-label="Your API tokens" className="divide-y divide-border rounded-lg border border-border">
          {tokens.map((t) => (
            <li key={t.id} className="flex flex-wrap items-start justify-between gap-3 px-3 py-3">
              <div className="min-w-0 space-y-1 text-sm">
                <p className="flex flex-wrap items-center gap-2">
                  <span className="font-medium break-all">{t.name}</span>
                  <code className="rounded bg-muted px-1.5 py-0.5 text-xs">{t.preview}</code>
                  {t.readOnly ? (
                    <span className={`${badge} bg-muted text-muted-foreground`}>Read-only</span>
                  ) : null}
                  {t.state !== "active" ? (
                    <span className={`${badge} bg-destructive-soft text-destructive`}>
                      {t.state === "revoked" ? "Revoked" : "Expired"}
                    </span>
                  ) : null}
                </p>
                <p className="text-muted-foreground break-words">{scopeText(t, labels)}</p>
                <p className="text-xs text-muted-foreground">
                  Created <LocalTime iso={t.createdAt} /> · last used{" "}
                  <LocalTime iso={t.lastUsedAt} fallback="never" /> ·{" "}
                  {t.revokedAt ? (
                    <>
                      revoked <LocalTime iso={t.revokedAt} />
                    </>
                  ) : (
                    <>
                      expires <LocalTime iso={t.expiresAt} fallback="never" />
                    </>
                  )}
                </p>
              </div>
              {t.state === "revoked" ? null : (
                <button
                  type="button"
                  disabled={pending}
                  aria-label={`Revoke token ${t.name}`}
                  onClick={() => setRevoking(t)}
                  className={`${button.base} ${button.danger}`}
                >
                  <Trash2 className="size-4" aria-hidden />
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the token “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke token"
        pending={pending}
        onConfirm={() => revoking && revoke(revoking)}
        onClose={() => setRevoking(null)}
      >
        <p>Scripts using it get “401 Unauthorized” from their next request. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
