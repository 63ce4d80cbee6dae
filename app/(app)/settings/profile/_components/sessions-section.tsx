"use client";

import { LoaderCircle, LogOut } from "lucide-react";
import { useState, useTransition } from "react";
import { LocalTime } from "@/app/(app)/settings/ai/_components/local-time";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";
import { endSessionAction, type SessionActionResult, signOutEverywhereAction } from "../session-actions";

export type SessionRow = {
  id: string;
  device: string;
  ip: string | null;
  lastSeenAt: string;
  createdAt: string;
  current: boolean;
};

// The account's live sessions (lib/auth/sessions.ts): end one, or all of them including this one.
export function SessionsSection({ sessions }: { sessions: SessionRow[] }) {
  const [result, setResult] = useState<SessionActionResult | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [pending, start] = useTransition();

  const run = (key: string, fn: () => Promise<SessionActionResult>) => {
    setBusy(key);
    start(async () => {
      setResult(await fn());
      setBusy(null);
    });
  };

  return (
    <section aria-labelledby="sessions-title" className={card}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="sessions-title" className="text-base font-semibold">
            Active sessions
          </h2>
          <p className="mt-1 text-sm text-muted-foreground">
            Browsers signed in to your account. End any you do not recognise.
          </p>
        </div>
        <button
          type="button"
          disabled={pending}
          onClick={() => run("everywhere", () => signOutEverywhereAction({ confirm: "everywhere" }))}
          className={`${button.base} ${button.danger}`}
        >
          {busy === "everywhere" ? (
            <LoaderCircle className="size-4 animate-spin" aria-hidden />
          ) : (
            <LogOut className="size-4" aria-hidden />
          )}
          Sign out everywhere
        </button>
      </div>
      <ul aria-label="Active sessions" className="mt-4 divide-y divide-border">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div className="min-w-0 text-sm">
              <p className="font-medium">
                {s.device}
                {s.current ? (
                  <span className="ml-2 rounded-full bg-primary-soft px-2 py-0.5 text-xs text-primary-ink">
                    This device
                  </span>
                ) : null}
              </p>
              <p className="text-muted-foreground">
                {s.ip ?? "Unknown address"} · last active <LocalTime iso={s.lastSeenAt} /> · signed in{" "}
                <LocalTime iso={s.createdAt} />
              </p>
            </div>
            <button
              type="button"
              disabled={pending}
              aria-label={`End session: ${s.device}${s.current ? " (this device)" : ""}`}
              onClick={() => run(s.id, () => endSessionAction({ sessionId: s.id }))}
              className={`${button.base} ${button.secondary}`}
            >
              {busy === s.id ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : null}
              {s.current ? "Sign out" : "End"}
            </button>
          </li>
        ))}
      </ul>
      {result && !result.ok ? (
        <p role="alert" className="mt-2 text-sm text-destructive">
          {result.message}
        </p>
      ) : null}
      {result?.ok && result.message ? (
        <p role="status" className="mt-2 text-sm">
          {result.message}
        </p>
      ) : null}
    </section>
  );
}
