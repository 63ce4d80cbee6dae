"use client";

import { LoaderCircle, Search, X } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { toast } from "sonner";
import { notifyChatsChanged, useChatsChanged } from "@/app/(app)/chat/_components/chat-events";
import { groupByDay } from "@/lib/chat/date-groups";
import type { ChatPage, ChatSummary } from "@/lib/chat/history";
import type { ChatSearchHit } from "@/lib/chat/search";
import { ChatHistoryDeleteDialog } from "./chat-history-dialog";
import { ChatHistoryItem } from "./chat-history-item";

type Props = { initial: ChatPage; pageSize: number };

async function errorMessage(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { message?: string } | null;
  return body?.message ?? "Something went wrong. Try again.";
}

export function ChatHistoryList({ initial, pageSize }: Props) {
  const pathname = usePathname();
  const router = useRouter();
  const [chats, setChats] = useState<ChatSummary[]>(initial.chats);
  const [cursor, setCursor] = useState(initial.nextCursor);
  const [loadingMore, setLoadingMore] = useState(false);
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<ChatSearchHit[] | null>(null);
  const [toDelete, setToDelete] = useState<ChatSummary | null>(null);
  const [deleting, setDeleting] = useState(false);
  const activeId = pathname.startsWith("/chat/") ? decodeURIComponent(pathname.slice(6)) : null;

  // Refetch what is shown (at least one page) when a chat was created, answered or changed.
  const refresh = useCallback(async () => {
    const limit = Math.min(Math.max(pageSize, chats.length), 100);
    const res = await fetch(`/api/chats?limit=${limit}`);
    if (!res.ok) return;
    const page = (await res.json()) as ChatPage;
    setChats(page.chats);
    setCursor(page.nextCursor);
  }, [pageSize, chats.length]);
  useChatsChanged(refresh);

  useEffect(() => {
    const q = query.trim();
    if (!q) return setResults(null);
    const ac = new AbortController();
    const t = setTimeout(async () => {
      const res = await fetch(`/api/chats?q=${encodeURIComponent(q)}`, { signal: ac.signal }).catch(
        () => null,
      );
      if (res?.ok) setResults(((await res.json()) as { results: ChatSearchHit[] }).results);
    }, 250);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [query]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const res = await fetch(`/api/chats?limit=${pageSize}&cursor=${encodeURIComponent(cursor)}`);
      if (!res.ok) return;
      const page = (await res.json()) as ChatPage;
      setChats((cs) => [...cs, ...page.chats.filter((c) => !cs.some((x) => x.id === c.id))]);
      setCursor(page.nextCursor);
    } finally {
      setLoadingMore(false);
    }
  };

  const rename = async (id: string, title: string): Promise<boolean> => {
    const res = await fetch(`/api/chats/${encodeURIComponent(id)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    if (!res.ok) {
      toast.error(await errorMessage(res));
      return false;
    }
    setChats((cs) => cs.map((c) => (c.id === id ? { ...c, title } : c)));
    setResults((rs) => rs?.map((r) => (r.id === id ? { ...r, title } : r)) ?? null);
    if (id === activeId) router.refresh();
    return true;
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      const res = await fetch(`/api/chats/${encodeURIComponent(toDelete.id)}`, { method: "DELETE" });
      if (!res.ok && res.status !== 404) return void toast.error(await errorMessage(res));
      const id = toDelete.id;
      setChats((cs) => cs.filter((c) => c.id !== id));
      setResults((rs) => rs?.filter((r) => r.id !== id) ?? null);
      setToDelete(null);
      toast.success("Chat deleted");
      if (id === activeId) router.push("/chat");
      notifyChatsChanged();
    } finally {
      setDeleting(false);
    }
  };

  const shown = results ?? chats;
  const now = useClientNow();
  const item = (c: ChatSummary | ChatSearchHit) => (
    <ChatHistoryItem
      key={c.id}
      id={c.id}
      title={c.title}
      snippet={results ? (c as ChatSearchHit).snippet : undefined}
      active={c.id === activeId}
      onRename={(title) => rename(c.id, title)}
      onDelete={() => setToDelete({ id: c.id, title: c.title, updatedAt: c.updatedAt })}
    />
  );
  return (
    <div className="space-y-2">
      <div className="relative px-1">
        <Search
          className="pointer-events-none absolute top-1/2 left-3.5 size-3.5 -translate-y-1/2 text-muted-foreground"
          aria-hidden
        />
        <input
          id="chat-search"
          type="search"
          aria-label="Search chats"
          placeholder="Search chats"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="h-8 w-full rounded-lg border border-border bg-background pr-7 pl-8 text-sm outline-none placeholder:text-muted-foreground focus:border-ring focus:ring-3 focus:ring-ring/20 [&::-webkit-search-cancel-button]:hidden"
        />
        {query ? (
          <button
            type="button"
            aria-label="Clear search"
            onClick={() => setQuery("")}
            className="absolute top-1/2 right-2.5 -translate-y-1/2 text-muted-foreground hover:text-foreground"
          >
            <X className="size-3.5" aria-hidden />
          </button>
        ) : null}
      </div>

      {shown.length === 0 ? (
        <p className="px-3 py-2 text-sm text-muted-foreground">
          {results ? "No chats match." : "Your conversations will appear here."}
        </p>
      ) : results ? (
        <ul aria-label="Search results" className="space-y-0.5">
          {results.map(item)}
        </ul>
      ) : now === null ? (
        // Server render and hydration: no groups (the server does not know the reader's day).
        <ul aria-label="Chats" className="space-y-0.5">
          {chats.map(item)}
        </ul>
      ) : (
        <ul aria-label="Chats" className="space-y-3">
          {groupByDay(chats, now).map((g) => (
            <li key={g.label}>
              <h3
                id={`chats-${g.key}`}
                className="px-3 pb-1 text-[11px] font-medium tracking-wide text-muted-foreground uppercase"
              >
                {g.label}
              </h3>
              <ul aria-labelledby={`chats-${g.key}`} className="space-y-0.5">
                {g.items.map(item)}
              </ul>
            </li>
          ))}
        </ul>
      )}

      {!results && cursor ? (
        <button
          type="button"
          onClick={loadMore}
          disabled={loadingMore}
          className="mx-1 inline-flex h-8 w-[calc(100%-0.5rem)] items-center justify-center gap-2 rounded-lg text-xs font-medium text-muted-foreground hover:bg-muted hover:text-foreground"
        >
          {loadingMore ? <LoaderCircle className="size-3.5 animate-spin" aria-hidden /> : null}
          Show more
        </button>
      ) : null}

      <ChatHistoryDeleteDialog
        title={toDelete?.title ?? null}
        pending={deleting}
        onConfirm={confirmDelete}
        onClose={() => !deleting && setToDelete(null)}
      />
    </div>
  );
}

const noSubscribe = () => () => {};
let clientNow: Date | undefined;
/** Today as the browser sees it (null while rendering on the server or hydrating). */
function useClientNow(): Date | null {
  return useSyncExternalStore(
    noSubscribe,
    () => {
      // One Date per minute, so the snapshot is stable between renders.
      const t = Math.floor(Date.now() / 60_000) * 60_000;
      if (clientNow?.getTime() !== t) clientNow = new Date(t);
      return clientNow;
    },
    () => null,
  );
}
