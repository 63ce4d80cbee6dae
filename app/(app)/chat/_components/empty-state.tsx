import { AlertTriangle, KeyRound, Sparkles } from "lucide-react";
import Link from "next/link";
import type { RejectedKey } from "./types";

const EXAMPLES = [
  "Explain the difference between TCP and UDP with an analogy",
  "Write a Python function that deduplicates a list while keeping order",
  "Plan a three-day trip to Lisbon on a budget",
  "Summarise the pros and cons of remote work in a table",
];

type Props = { canChat: boolean; rejected: RejectedKey[]; onPick: (prompt: string) => void };

export function EmptyState({ canChat, rejected, onPick }: Props) {
  if (!canChat && rejected.length > 0) return <RejectedState rejected={rejected} />;
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-1 flex-col items-center justify-center px-4 py-10 text-center">
      <span className="inline-grid size-11 place-items-center rounded-2xl bg-primary-soft text-primary-ink">
        <Sparkles className="size-5" aria-hidden />
      </span>
      <h1 className="mt-4 text-2xl font-semibold tracking-tight sm:text-3xl">What can I help with?</h1>
      {canChat ? (
        <>
          <p className="mt-2 text-[15px] text-muted-foreground">
            Answers stream from the model you pick, on your key.
          </p>
          <ul className="mt-6 grid w-full gap-2 sm:grid-cols-2" aria-label="Example prompts">
            {EXAMPLES.map((p) => (
              <li key={p}>
                <button
                  type="button"
                  onClick={() => onPick(p)}
                  className="h-full w-full rounded-xl border border-border bg-card px-3.5 py-3 text-left text-sm text-foreground/90 shadow-xs transition-colors hover:bg-muted"
                >
                  {p}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <p className="mt-2 text-[15px] text-muted-foreground">
            Chats run on your own API key from OpenAI, Groq or Google. Add one in AI settings, then ask
            anything.
          </p>
          <Link
            href="/settings/ai"
            className="mt-6 inline-flex h-10 items-center gap-2 rounded-lg bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:brightness-110"
          >
            <KeyRound className="size-4" aria-hidden />
            Add API key
          </Link>
        </>
      )}
    </div>
  );
}

function rejectedWords(rejected: RejectedKey[]) {
  const reentry = rejected.every((k) => k.code === "KEY_NEEDS_REENTRY");
  const names = rejected.map((k) => k.label).join(", ");
  return {
    title: reentry ? "Your API key needs to be entered again" : "Your API key was rejected",
    text: reentry
      ? `Your ${names} key can no longer be read on the server. Enter it again in AI settings to keep chatting.`
      : `${names} rejected your key: it may have been revoked, deleted or mistyped. Update it in AI settings to keep chatting.`,
    action: reentry ? "Re-enter key" : "Update API key",
  };
}

/**
 * The same state inside a conversation (its messages fill the page): a notice above the disabled
 * composer, with the fix, so the way back to chatting is one click away there too.
 */
export function RejectedNotice({ rejected }: { rejected: RejectedKey[] }) {
  const w = rejectedWords(rejected);
  return (
    <div className="flex items-start gap-3 rounded-xl border border-destructive/30 bg-destructive-soft px-3.5 py-3 text-sm">
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="font-medium text-foreground">{w.title}</p>
        <p className="mt-0.5 text-muted-foreground">{w.text}</p>
        <Link
          href="/settings/ai"
          className="mt-2 inline-flex h-8 items-center gap-2 rounded-lg border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
        >
          <KeyRound className="size-3.5" aria-hidden />
          {w.action}
        </Link>
      </div>
    </div>
  );
}

/** The user has a key, but the provider rejected it: say so, and offer the fix (not onboarding). */
function RejectedState({ rejected }: { rejected: RejectedKey[] }) {
  const w = rejectedWords(rejected);
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-1 flex-col items-center justify-center px-4 py-10 text-center">
      <span className="inline-grid size-11 place-items-center rounded-2xl bg-destructive-soft text-destructive">
        <AlertTriangle className="size-5" aria-hidden />
      </span>
      <h1 className="mt-4 text-2xl font-semibold tracking-tight sm:text-3xl">{w.title}</h1>
      <p className="mt-2 text-[15px] text-muted-foreground">{w.text}</p>
      <Link
        href="/settings/ai"
        className="mt-6 inline-flex h-10 items-center gap-2 rounded-lg bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:brightness-110"
      >
        <KeyRound className="size-4" aria-hidden />
        {w.action}
      </Link>
    </div>
  );
}
