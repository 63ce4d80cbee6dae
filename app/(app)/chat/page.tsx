import { ArrowUp, KeyRound } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth";

export const metadata: Metadata = { title: "Chat" };

// Empty state only: the conversation UI replaces this page.
export default async function ChatPage() {
  await requireUser("/chat");

  return (
    <div className="flex min-h-full flex-col">
      <div className="flex flex-1 flex-col items-center justify-center px-4 py-10">
        <div className="w-full max-w-xl text-center">
          <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Start a conversation</h1>
          <p className="mt-3 text-[15px] text-muted-foreground">
            Chats run on your own API key from OpenAI, Groq or Google. Add one in AI settings, then ask
            anything.
          </p>
          <Link
            href="/settings/ai"
            className="mt-6 inline-flex h-10 items-center gap-2 rounded-lg bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:brightness-110"
          >
            <KeyRound className="size-4" aria-hidden />
            Add an API key
          </Link>
        </div>
      </div>

      <div className="mx-auto w-full max-w-3xl px-3 pb-4 sm:px-4 sm:pb-6">
        <div className="rounded-2xl border border-border bg-card p-2 shadow-sm">
          <label htmlFor="composer" className="sr-only">
            Message
          </label>
          <textarea
            id="composer"
            disabled
            rows={2}
            aria-describedby="composer-note"
            placeholder="Message BYOK Chat"
            className="block w-full resize-none bg-transparent px-2 py-1.5 text-[15px] outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed"
          />
          <div className="flex items-center justify-between gap-2 pl-2">
            <p id="composer-note" className="text-xs text-muted-foreground">
              Chatting is not available yet: add an API key first.
            </p>
            <button
              type="button"
              disabled
              aria-label="Send message"
              className="inline-flex size-8 shrink-0 items-center justify-center rounded-lg bg-primary text-primary-foreground disabled:opacity-40"
            >
              <ArrowUp className="size-4" aria-hidden />
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
