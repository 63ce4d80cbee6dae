"use client";

import { AlertTriangle, ExternalLink, Gauge, KeyRound, RotateCcw, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useState } from "react";
import { isProviderId, PROVIDERS } from "@/lib/ai/registry";
import { ACTION_LABELS, actionFor } from "@/lib/ai/verdict";
import type { ChatErrorPayload } from "@/lib/chat/types";
import { button } from "./styles";

type Props = {
  error: ChatErrorPayload;
  provider: string;
  onRetry: () => void;
  onDismiss: () => void;
};

const actionLink = `${button.base} ${button.secondary} h-8 px-3`;

/** Every error says what happened and offers the one action that fixes it. */
export function ErrorBanner({ error, provider, onRetry, onDismiss }: Props) {
  const wait = error.code === "RATE_LIMITED" ? (error.retryAfter ?? 0) : 0;
  const left = useCountdown(wait);
  // The server's words end with the wait as it was when they were written ("Try again in 1 s."):
  // the banner says it live instead, and once it is over, that it is.
  const message = wait > 0 ? error.message.replace(/\s*Try again in [^.]*\.\s*$/, "") : error.message;
  return (
    <div
      role="alert"
      className="flex items-start gap-3 rounded-xl border border-destructive/30 bg-destructive-soft px-3.5 py-3 text-sm"
    >
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="text-foreground">
          {message}
          {wait > 0 ? (left > 0 ? ` Try again in ${left} s.` : " You can try again now.") : null}
        </p>
        <div className="mt-2 flex flex-wrap gap-2 empty:hidden">
          <ErrorAction error={error} provider={provider} onRetry={onRetry} left={left} />
        </div>
      </div>
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Dismiss error"
        className="-m-1 rounded-md p-1 text-muted-foreground hover:text-foreground"
      >
        <X className="size-4" aria-hidden />
      </button>
    </div>
  );
}

function ErrorAction({ error, provider, onRetry, left }: Omit<Props, "onDismiss"> & { left: number }) {
  // The same action for the same code as the key Test result (lib/ai/verdict.ts).
  const action = actionFor(error.code, error);
  switch (action) {
    case "add_key":
    case "update_key":
    case "reenter_key":
    case "use_own_key":
      return (
        <Link href="/settings/ai" className={actionLink}>
          <KeyRound className="size-3.5" aria-hidden />
          {ACTION_LABELS[action]}
        </Link>
      );
    case "check_billing": {
      const url = isProviderId(provider) ? PROVIDERS[provider].guide.billingUrl : undefined;
      return url ? (
        <a href={url} target="_blank" rel="noopener noreferrer" className={actionLink}>
          <ExternalLink className="size-3.5" aria-hidden />
          {ACTION_LABELS.check_billing}
        </a>
      ) : null;
    }
    case "spending_limits":
      return error.setting ? (
        <Link href={error.setting} className={actionLink}>
          <Gauge className="size-3.5" aria-hidden />
          {ACTION_LABELS.spending_limits}
        </Link>
      ) : null;
    case "retry":
      return left > 0 ? (
        <button type="button" disabled className={actionLink}>
          Retry in {left} s
        </button>
      ) : (
        <button type="button" onClick={onRetry} className={actionLink}>
          <RotateCcw className="size-3.5" aria-hidden />
          {ACTION_LABELS.retry}
        </button>
      );
    case "sign_in":
      return (
        <Link href="/sign-in" className={actionLink}>
          {ACTION_LABELS.sign_in}
        </Link>
      );
    case "reload":
      return (
        <button type="button" onClick={() => window.location.reload()} className={actionLink}>
          <RotateCcw className="size-3.5" aria-hidden />
          {ACTION_LABELS.reload}
        </button>
      );
    case "new_chat":
      return (
        <Link href="/chat" className={actionLink}>
          {ACTION_LABELS.new_chat}
        </Link>
      );
    default:
      return null;
  }
}

/** Whole seconds left of `seconds`, counting down to 0 and stopping there. */
function useCountdown(seconds: number): number {
  const [left, setLeft] = useState(Math.ceil(seconds));
  useEffect(() => {
    setLeft(Math.ceil(seconds));
    if (seconds <= 0) return;
    const started = Date.now();
    const t = setInterval(() => {
      const rest = Math.max(0, Math.ceil(seconds - (Date.now() - started) / 1000));
      setLeft(rest);
      if (rest === 0) clearInterval(t);
    }, 250);
    return () => clearInterval(t);
  }, [seconds]);
  return left;
}
