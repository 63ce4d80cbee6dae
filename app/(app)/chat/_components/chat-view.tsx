"use client";

import { AlertTriangle, LoaderCircle } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { formatUsd } from "@/lib/ai/prices";
import type { ChatSettings } from "@/lib/chat/params";
import type { BudgetWarning } from "@/lib/chat/picker";
import { entryFor } from "@/lib/chat/picker-entry";
import type { ChatUIMessage } from "@/lib/chat/types";
import { AnswerAnnouncer } from "./answer-announcer";
import { ChatActions } from "./chat-actions";
import { ChatSettingsButton } from "./chat-settings-dialog";
import { Composer } from "./composer";
import { EmptyState, RejectedNotice } from "./empty-state";
import { ErrorBanner } from "./error-banner";
import { MessageItem } from "./message-item";
import { ModelPicker } from "./model-picker";
import type { PickerProvider, RejectedKey, Selection } from "./types";
import { useChatSession } from "./use-chat-session";

type Props = {
  /** The signed-in user's id: drafts are kept per user and chat. */
  userId: string;
  chatId: string;
  /** True on /chat: the chat row is created by its first message. */
  isNew: boolean;
  title?: string;
  initialMessages: ChatUIMessage[];
  hasMore: boolean;
  providers: PickerProvider[];
  /** Personal keys the chat cannot use until they are fixed (rejected, or to re-enter). */
  rejected: RejectedKey[];
  initialSelection: Selection | null;
  maxChars: number;
  /** The chat's own instructions and parameters (all null: defaults). */
  initialSettings: ChatSettings;
  /** The user's default instructions (AI settings), for the settings dialog. */
  defaultSystemPrompt: string | null;
  /** The user's spending limits that are 80% used or more. */
  budgetWarnings?: BudgetWarning[];
};

export function ChatView(props: Props) {
  const { chatId, isNew, providers, maxChars } = props;
  const [selection, setSelection] = useState<Selection>(
    props.initialSelection ?? { provider: "openai", model: "" },
  );
  const [title, refreshTitle] = useChatTitle(chatId, props.title);
  const [settings, setSettings] = useState(props.initialSettings);
  const s = useChatSession({
    userId: props.userId,
    chatId,
    isNew,
    initialMessages: props.initialMessages,
    selection,
    settings,
    onAnswered: refreshTitle,
  });
  useNewChatOnReturn(chatId, isNew && s.saved);
  const canChat = providers.length > 0 && props.initialSelection !== null;
  const modelMissing = selection.provider === "compatible" && !selection.model;
  const picked = entryFor(providers, selection);
  // The provider stopped listing this chat's model for the key: said, never silently swapped.
  const modelGone = picked?.models.find((m) => m.id === selection.model)?.gone === true;
  const warnings = (props.budgetWarnings ?? []).filter((w) => w.provider === selection.provider);

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

  const setEditing = s.setEditing;
  const startEdit = useCallback((id: string, text: string) => setEditing({ id, text }), [setEditing]);
  const older = useOlderMessages(chatId, props.hasMore, s.messages[0]?.id, s.setMessages, scroller);
  const last = s.messages[s.messages.length - 1];

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex min-h-14 shrink-0 items-center gap-2 border-b border-border px-3 py-2 sm:flex-wrap sm:px-4">
        {canChat ? (
          <ModelPicker providers={providers} value={selection} onChange={setSelection} disabled={s.busy} />
        ) : null}
        {canChat ? (
          <ChatSettingsButton
            chatId={chatId}
            saved={s.saved}
            provider={selection.provider}
            model={selection.model}
            value={settings}
            onChange={setSettings}
            defaultSystemPrompt={props.defaultSystemPrompt}
            disabled={s.busy}
          />
        ) : null}
        {title ? (
          <h1 className="sr-only lg:not-sr-only lg:ml-auto lg:max-w-[40%] lg:truncate lg:text-sm lg:text-muted-foreground">
            {title}
          </h1>
        ) : null}
        <ChatActions
          chatId={chatId}
          canExport={(!isNew || s.saved) && s.messages.length > 0}
          afterTitle={!!title}
        />
      </div>
      <AnswerAnnouncer messages={s.messages} busy={s.busy} />
      {canChat && (modelGone || warnings.length > 0) ? (
        <div className="shrink-0 space-y-1 border-b border-border bg-warning/10 px-3 py-2 text-sm sm:px-4">
          {modelGone ? (
            <p role="status" className="flex items-start gap-2">
              <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
              <span>
                {picked?.label} no longer lists{" "}
                <code className="font-mono text-[13px]">{selection.model}</code> for your key. Choose another
                model to continue this chat.
              </span>
            </p>
          ) : null}
          {warnings.map((w) => (
            <p
              key={`${w.key?.id ?? ""}-${w.period}-${w.unit}`}
              role="status"
              className="flex items-start gap-2"
            >
              <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
              <span>
                {w.ratio >= 1 ? "You reached" : `You have used ${Math.floor(w.ratio * 100)}% of`} your{" "}
                {w.period === "day" ? "daily" : "monthly"}{" "}
                {w.key ? `limit on your ${w.label} key “${w.key.name}”` : `${w.label} limit`} ({limitText(w)}
                ).{" "}
                <Link
                  href={w.key ? `/settings/ai#limits-key-${w.key.id}` : `/settings/ai#limits-${w.provider}`}
                  className="font-medium text-primary hover:underline"
                >
                  Spending limits
                </Link>
              </span>
            </p>
          ))}
        </div>
      ) : null}

      <div ref={scroller} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto">
        <div ref={content} className="flex min-h-full flex-col">
          {s.messages.length === 0 ? (
            <EmptyState
              canChat={canChat}
              rejected={props.rejected}
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
                  busy={s.busy}
                  onShowVersion={s.showVersion}
                  onEdit={!s.busy && canChat && !modelMissing && !modelGone ? startEdit : undefined}
                  editor={
                    s.editing?.id === m.id
                      ? {
                          text: s.editing.text,
                          onChange: (text) => s.setEditing({ id: m.id, text }),
                          onSave: () => {
                            const text = s.editing?.text ?? "";
                            void s.edit(m.id, text);
                          },
                          onCancel: () => s.setEditing(null),
                        }
                      : undefined
                  }
                  maxChars={maxChars}
                />
              ))}
              {s.status === "submitted" && last?.role === "user" ? (
                <span className="inline-flex h-7 items-center gap-1" role="status">
                  {[0, 150, 300].map((d) => (
                    <span
                      key={d}
                      aria-hidden
                      className="size-1.5 animate-bounce rounded-full bg-muted-foreground/60"
                      style={{ animationDelay: `${d}ms` }}
                    />
                  ))}
                  {/* The server retries a busy provider for a few seconds before it gives up. */}
                  <span className={s.retrying ? "ml-2 text-sm text-muted-foreground" : "sr-only"}>
                    {s.retrying ? "Provider busy, retrying…" : "Waiting for the answer"}
                  </span>
                </span>
              ) : null}
            </div>
          )}
        </div>
      </div>

      <div className="mx-auto w-full max-w-3xl shrink-0 space-y-2 px-3 pt-1 pb-3 sm:px-4 sm:pb-5">
        {!canChat && props.rejected.length > 0 && s.messages.length > 0 && !s.banner ? (
          <RejectedNotice rejected={props.rejected} />
        ) : null}
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
          disabled={!canChat || modelMissing || modelGone}
          disabledReason={
            !canChat
              ? props.rejected.length > 0
                ? "Update your API key in AI settings to keep chatting."
                : "Add an API key in AI settings to start chatting."
              : modelGone
                ? "This model is no longer listed for your key: choose another above."
                : "Choose a model above (type the model id into its search)."
          }
          maxChars={maxChars}
        />
      </div>
    </div>
  );
}

function limitText(w: BudgetWarning): string {
  if (w.unit === "tokens") return `${w.used.toLocaleString()} of ${w.amount.toLocaleString()} tokens`;
  return `${formatUsd(w.used)} of ${formatUsd(w.amount)}`;
}

/**
 * /chat gave its first answer an address (/chat/<id>) without a navigation, so the router still
 * holds this view for /chat: opening Chat again (the sidebar's link) must start a new chat, not
 * show this one under the new chat's address.
 */
function useNewChatOnReturn(chatId: string, created: boolean) {
  const pathname = usePathname();
  const router = useRouter();
  const moved = useRef(false);
  useEffect(() => {
    if (!created) return;
    if (pathname === `/chat/${chatId}`) moved.current = true;
    else if (moved.current && pathname === "/chat") router.refresh();
  }, [created, pathname, chatId, router]);
}

/**
 * The chat's title as the history list shows it. A new chat gets its title with its first answer
 * (the first words, then the model-written one a moment later): the header and the tab follow
 * without a reload.
 */
function useChatTitle(chatId: string, initial: string | undefined) {
  const [title, setTitle] = useState(initial);
  const refresh = useCallback(async () => {
    const res = await fetch(`/api/chats/${encodeURIComponent(chatId)}`).catch(() => null);
    if (!res?.ok) return;
    const chat = (await res.json()) as { title?: unknown };
    if (typeof chat.title === "string") setTitle(chat.title);
  }, [chatId]);
  useEffect(() => {
    if (title) document.title = `${title} · BYOK Chat`;
  }, [title]);
  return [title, refresh] as const;
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
