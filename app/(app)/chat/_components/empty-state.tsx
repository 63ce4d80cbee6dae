import { KeyRound, Sparkles } from "lucide-react";
import Link from "next/link";

const EXAMPLES = [
  "Explain the difference between TCP and UDP with an analogy",
  "Write a Python function that deduplicates a list while keeping order",
  "Plan a three-day trip to Lisbon on a budget",
  "Summarise the pros and cons of remote work in a table",
];

type Props = { canChat: boolean; onPick: (prompt: string) => void };

export function EmptyState({ canChat, onPick }: Props) {
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-1 flex-col items-center justify-center px-4 py-10 text-center">
      <span className="inline-grid size-11 place-items-center rounded-2xl bg-primary-soft text-primary">
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
