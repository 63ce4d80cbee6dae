"use client";

import { LoaderCircle } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { ChatUIMessage } from "@/lib/chat/types";
import { Composer } from "./composer";
import { EmptyState } from "./empty-state";
import { ErrorBanner } from "./error-banner";
import { MessageItem } from "./message-item";
import { ModelPicker } from "./model-picker";
import type { PickerProvider, Selection } from "./types";
import { useChatSession } from "./use-chat-session";

type Props = {
  chatId: string;
  /** True on /chat: the chat row is created by its first message. */
  isNew: boolean;
  title?: string;
  initialMessages: ChatUIMessage[];
  hasMore: boolean;
  providers: PickerProvider[];
  initialSelection: Selection | null;
  maxChars: number;
};

export function ChatView(props: Props) {
  const { chatId, isNew, providers, maxChars } = props;
  const [selection, setSelection] = useState<Selection>(
    props.initialSelection ?? { provider: "openai", model: "" },
  );
  const s = useChatSession({ chatId, isNew, initialMessages: props.initialMessages, selection });
  const canChat = providers.length > 0 && props.initialSelection !== null;
  const modelMissing = selection.provider === "compatible" && !selection.model;

  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const onScroll = () => {
    const el = scroller.current;
    if (el) stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  // Follow the answer while it streams, unless the reader scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every message update
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [s.messages]);
  // Markdown and code blocks render a moment after the text arrives: follow those too.
  const content = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    const ro = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(inner);
    return () => ro.disconnect();
  }, []);

  const older = useOlderMessages(chatId, props.hasMore, s.messages[0]?.id, s.setMessages, scroller);
  const last = s.messages[s.messages.length - 1];

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex min-h-14 shrink-0 flex-wrap items-center gap-2 border-b border-border px-3 py-2 sm:px-4">
        {canChat ? (
          <ModelPicker providers={providers} value={selection} onChange={setSelection} disabled={s.busy} />
        ) : null}
        {props.title ? (
          <h1 className="sr-only lg:not-sr-only lg:ml-auto lg:max-w-[40%] lg:truncate lg:text-sm lg:text-muted-foreground">
            {props.title}
          </h1>
        ) : null}
      </div>

      <div ref={scroller} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto">
        <div ref={content} className="flex min-h-full flex-col">
          {s.messages.length === 0 ? (
            <EmptyState
              canChat={canChat}
              onPick={(p) => {
                s.setDraft(p);
                document.getElementById("composer")?.focus();
              }}
            />
          ) : (
            <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-6 sm:px-6">
              {older.hasMore ? (
                <div className="flex justify-center">
                  <button
                    type="button"
                    onClick={older.load}
                    disabled={older.loading}
                    className="inline-flex h-8 items-center gap-2 rounded-full border border-border px-3 text-xs font-medium text-muted-foreground hover:bg-muted hover:text-foreground"
                  >
                    {older.loading ? <LoaderCircle className="size-3.5 animate-spin" aria-hidden /> : null}
                    Load earlier messages
                  </button>
                </div>
              ) : null}
              {s.messages.map((m) => (
                <MessageItem
                  key={m.id}
                  message={m}
                  streaming={s.busy && m === last && m.role === "assistant"}
                  onRegenerate={
                    !s.busy && m === last && m.role === "assistant" && canChat ? s.regenerate : undefined
                  }
                />
              ))}
              {s.status === "submitted" && last?.role === "user" ? (
                <span
                  className="inline-flex h-7 items-center gap-1"
                  role="status"
                  aria-label="Waiting for the answer"
                >
                  {[0, 150, 300].map((d) => (
                    <span
                      key={d}
                      className="size-1.5 animate-bounce rounded-full bg-muted-foreground/60"
                      style={{ animationDelay: `${d}ms` }}
                    />
                  ))}
                </span>
              ) : null}
            </div>
          )}
        </div>
      </div>

      <div className="mx-auto w-full max-w-3xl shrink-0 space-y-2 px-3 pt-1 pb-3 sm:px-4 sm:pb-5">
        {s.banner ? (
          <ErrorBanner
            error={s.banner}
            provider={selection.provider}
            onRetry={s.retry}
            onDismiss={s.dismiss}
          />
        ) : null}
        <Composer
          value={s.draft}
          onChange={s.setDraft}
          onSend={() => {
            stickToBottom.current = true;
            void s.send(s.draft);
          }}
          onStop={() => void s.stop()}
          busy={s.busy}
          pending={s.status === "submitted"}
          disabled={!canChat || modelMissing}
          disabledReason={
            !canChat ? "Add an API key in AI settings to start chatting." : "Enter a model id above."
          }
          maxChars={maxChars}
        />
      </div>
    </div>
  );
}

function useOlderMessages(
  chatId: string,
  initialHasMore: boolean,
  firstId: string | undefined,
  setMessages: (fn: (ms: ChatUIMessage[]) => ChatUIMessage[]) => void,
  scroller: React.RefObject<HTMLDivElement | null>,
) {
  const [hasMore, setHasMore] = useState(initialHasMore);
  const [loading, setLoading] = useState(false);
  const keepOffset = useRef<number | null>(null);

  useLayoutEffect(() => {
    // After older messages were prepended, keep the reader's place instead of jumping.
    const el = scroller.current;
    if (el && keepOffset.current !== null) {
      el.scrollTop = el.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    }
  });

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const q = new URLSearchParams({ limit: "40", ...(firstId ? { before: firstId } : {}) });
      const res = await fetch(`/api/chats/${encodeURIComponent(chatId)}/messages?${q}`);
      if (!res.ok) return;
      const page = (await res.json()) as { messages: ChatUIMessage[]; hasMore: boolean };
      const el = scroller.current;
      if (el) keepOffset.current = el.scrollHeight - el.scrollTop;
      setMessages((ms) => {
        const known = new Set(ms.map((m) => m.id));
        return [...page.messages.filter((m) => !known.has(m.id)), ...ms];
      });
      setHasMore(page.hasMore);
    } finally {
      setLoading(false);
    }
  }, [chatId, firstId, setMessages, scroller]);

  useEffect(() => setHasMore(initialHasMore), [initialHasMore]);
  return { hasMore, loading, load };
}
