"use client";

import { Chat, useChat } from "@ai-sdk/react";
import { DefaultChatTransport, generateId } from "ai";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatSettings } from "@/lib/chat/params";
import type { ChatErrorPayload, ChatMessageMetadata, ChatUIMessage } from "@/lib/chat/types";
import { notifyChatsChanged } from "./chat-events";
import { draftKey, readDraft, writeDraft } from "./draft-store";
import { messageText } from "./message-item";
import { parseChatError } from "./parse-error";
import type { Selection } from "./types";

// useChat plus the product's rules: the browser sends only the new message (the server loads
// the history), the draft is cleared only once the server accepted it, a refused send takes its
// optimistic bubble back, and a resend of an unchanged draft reuses its id (idempotent).

type Options = {
  userId: string;
  chatId: string;
  isNew: boolean;
  initialMessages: ChatUIMessage[];
  selection: Selection;
  /** The chat's instructions and parameters (the settings dialog's): sent with every turn. */
  settings?: ChatSettings;
  /** Called when a turn of this chat ended with its answer stored (the title may have changed). */
  onAnswered?: () => void;
};

const VERSION_NOT_LOADED = "Could not load that version. Check your connection and try again.";

export function useChatSession({
  userId,
  chatId,
  isNew,
  initialMessages,
  selection,
  settings,
  onAnswered,
}: Options) {
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  // The message being sent, until the server accepts it: from the composer, or an edit of a
  // sent message (then the view before the edit, to put back if the server refuses it).
  const pending = useRef<{ id: string; text: string; edit?: PendingEdit } | null>(null);
  // The versions of the answer being regenerated: the new answer joins them (‹ 3/3 ›).
  const regenerating = useRef<string[] | null>(null);
  /** The newest ‹ › request per shown message (showVersion). */
  const versionRequests = useRef(new Map<string, number>());
  /** The user message being edited inline and the editor's text (kept when a send fails). */
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const accepted = useRef(true);
  const [draft, setDraft] = useState("");
  // Whether the chat row exists on the server as far as this view knows: a new chat's row is
  // written by its first accepted turn (a refused one is taken back by the server).
  const stored = useRef(!isNew);
  const titled = useRef(false);
  const onAnsweredRef = useRef(onAnswered);
  onAnsweredRef.current = onAnswered;

  // The draft outlives this page (settings and back, a reload) until it is sent: kept under
  // "new" until the chat exists, then under its id. Read after hydration (the server renders an
  // empty composer).
  const [saved, setSaved] = useState(!isNew);
  const storageKey = draftKey(userId, chatId, !saved);
  const restored = useRef(false);
  useEffect(() => {
    const kept = readDraft(storageKey);
    if (kept) setDraft((d) => d || kept);
    restored.current = true;
  }, [storageKey]);
  useEffect(() => {
    if (restored.current) writeDraft(storageKey, draft);
  }, [storageKey, draft]);
  const [banner, setBanner] = useState<ChatErrorPayload>();
  /** The server said the provider is busy and it is retrying, and no token came yet. */
  const [retrying, setRetrying] = useState(false);
  const chatRef = useRef<Chat<ChatUIMessage> | null>(null);
  const onAccepted = useRef<() => void>(() => undefined);

  const [chat] = useState(() => {
    const c = new Chat<ChatUIMessage>({
      id: chatId,
      messages: initialMessages,
      transport: new DefaultChatTransport<ChatUIMessage>({
        api: "/api/chat",
        // The answer's `start` chunk leaves with its first token: that is "accepted". It is
        // the first chunk of a 200, unless the provider is being retried (a transient notice
        // comes first, and the turn may still be refused in the stream). Watching status for
        // "streaming" would miss fast answers whose updates are batched.
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (!res.ok || !res.body) return res;
          return new Response(res.body.pipeThrough(untilStart(() => onAccepted.current())), res);
        },
        prepareSendMessagesRequest: ({ id, messages, trigger }) => {
          const at = messages.findLastIndex((m) => m.role === "user");
          const last = messages[at];
          const before = messages[at - 1];
          const { provider, model, keyId } = selectionRef.current;
          const edit = pending.current?.id === last?.id ? pending.current?.edit : undefined;
          return {
            body: {
              id,
              message: { id: last?.id ?? "", text: last ? messageText(last) : "" },
              provider,
              model,
              // OpenAI-compatible: the endpoint the picker shows selected, on every turn.
              ...(provider === "compatible" && keyId ? { keyId } : {}),
              ...(trigger === "regenerate-message" ? { regenerate: true } : {}),
              // Where the message goes in the chat's tree (lib/chat/branch.ts): an edit is a
              // version of the edited message; a new message follows the answer shown above it
              // (the chat may show an earlier version's branch); the first one is the root.
              ...(trigger === "regenerate-message"
                ? {}
                : edit
                  ? { editOf: edit.originalId }
                  : before?.role === "assistant"
                    ? { parentId: before.id }
                    : at === 0
                      ? { parentId: null }
                      : {}),
              ...(settingsRef.current ? { settings: settingsRef.current } : {}),
              // A new answer id for each send, regenerate and retry: the server gives one answer
              // id one provider call, so a request the network delivers twice is answered once.
              answerId: generateId(),
            },
          };
        },
      }),
      onData: (part) => {
        if (part.type === "data-retry") setRetrying(true);
      },
      onFinish: ({ message, isAbort, isError }) => {
        const earlier = regenerating.current;
        regenerating.current = null;
        if (message.role === "assistant" && (isAbort || isError || earlier)) {
          const status: ChatMessageMetadata["status"] | undefined = isAbort
            ? "ABORTED"
            : isError
              ? "ERROR"
              : undefined;
          // A regenerated answer is the newest of its versions (the server keeps them all).
          const versions =
            earlier && !earlier.includes(message.id) ? [...earlier, message.id] : message.metadata?.versions;
          const chatNow = chatRef.current;
          if (chatNow) {
            chatNow.messages = chatNow.messages.map((m) =>
              m.id === message.id
                ? {
                    ...m,
                    metadata: {
                      ...m.metadata,
                      ...(status ? { status } : {}),
                      ...(versions ? { versions } : {}),
                    },
                  }
                : m,
            );
          }
        }
        notifyChatsChanged();
        // Only a turn that was accepted can have changed the chat (a refused one left nothing).
        if (message.role !== "assistant" || !stored.current) return;
        onAnsweredRef.current?.();
        // The model-written title of a new chat lands a moment after its first answer (one short
        // call to the same model): the list and the header look again until it had time to.
        if (isNew && !titled.current) {
          titled.current = true;
          for (const ms of [1000, 3000, 7000])
            setTimeout(() => {
              notifyChatsChanged();
              onAnsweredRef.current?.();
            }, ms);
        }
      },
    });
    return c;
  });
  // Not inside the initializer: React may run it twice and keep the first instance.
  chatRef.current = chat;

  const { messages, status, error, sendMessage, regenerate, stop, setMessages, clearError } = useChat({
    chat,
  });
  const busy = status === "submitted" || status === "streaming";

  onAccepted.current = () => {
    setRetrying(false);
    accepted.current = true;
    stored.current = true;
    if (pending.current?.edit) {
      pending.current = null;
      setEditing(null);
    } else if (pending.current) {
      pending.current = null;
      setDraft("");
      // Sent: the new chat's draft is gone for good (later drafts are kept under the chat's id).
      if (isNew) writeDraft(draftKey(userId, chatId, true), "");
    }
    setSaved(true);
    // The first answer of a new chat gives it its address, without reloading the page.
    if (isNew && window.location.pathname !== `/chat/${chatId}`) {
      window.history.replaceState(null, "", `/chat/${chatId}`);
    }
    notifyChatsChanged();
  };

  useEffect(() => {
    if (status === "ready" || status === "error") setRetrying(false);
  }, [status]);

  useEffect(() => {
    if (status === "ready" && !accepted.current && pending.current) {
      // Stopped before the first token. Until the server says otherwise the message was not
      // sent: the draft (or the editor) still holds its text and the view is as before.
      const { id, edit, text } = pending.current;
      pending.current = null;
      accepted.current = true;
      if (edit) {
        setMessages(edit.snapshot);
        setEditing({ id: edit.originalId, text });
      } else setMessages((ms) => ms.filter((m) => m.id !== id));
      // But the server may already have taken the turn: then it keeps the message with its
      // stopped answer (the provider may have been called; a duplicate must replay it, never
      // call again). Ask, and show the chat as stored: a reload must show what this view shows.
      void (async () => {
        for (const wait of [250, 1500]) {
          await new Promise((r) => setTimeout(r, wait));
          if (pending.current || chatRef.current?.status !== "ready") return; // sending again
          const res = await fetch(`/api/chats/${encodeURIComponent(chatId)}/messages`, {
            cache: "no-store",
          }).catch(() => null);
          if (!res?.ok) continue;
          const body = (await res.json().catch(() => null)) as { messages?: ChatUIMessage[] } | null;
          const kept = body?.messages;
          if (!kept?.some((m) => m.id === id)) continue;
          if (pending.current || chatRef.current?.status !== "ready") return;
          setMessages(kept);
          if (edit) setEditing((e) => (e?.id === edit.originalId && e.text === text ? null : e));
          else {
            setDraft((d) => (d === text ? "" : d));
            if (isNew) writeDraft(draftKey(userId, chatId, true), "");
          }
          stored.current = true;
          setSaved(true);
          if (isNew && window.location.pathname !== `/chat/${chatId}`) {
            window.history.replaceState(null, "", `/chat/${chatId}`);
          }
          notifyChatsChanged();
          return;
        }
      })();
    }
  }, [status, setMessages, chatId, isNew, userId]);

  useEffect(() => {
    if (status !== "error") return;
    const payload = parseChatError(error);
    setBanner(payload);
    if (payload?.code === "TURN_IN_PROGRESS") {
      // The same answer id is being answered by another request (the network delivered this
      // one twice): the message is stored and its answer is on its way. Nothing to take back;
      // the banner offers a reload once it is written.
      if (pending.current) onAccepted.current();
      accepted.current = true;
      return;
    }
    const refused = !accepted.current && pending.current !== null;
    if (refused && pending.current?.edit) {
      // A refused edit: the chat as it was before it, and the edited text back in its editor.
      const { edit, text } = pending.current;
      setMessages(edit.snapshot);
      setEditing({ id: edit.originalId, text });
    } else if (refused && pending.current) {
      const id = pending.current.id;
      setMessages((ms) => ms.filter((m) => m.id !== id));
    }
    accepted.current = true;
    // A refused new message left nothing on the server either (the turn takes it back, and the
    // chat it would have created): the history list and a reload show what this view shows.
    notifyChatsChanged();
  }, [status, error, setMessages]);

  const send = useCallback(
    async (text: string) => {
      if (busy || !text.trim()) return;
      clearError();
      setBanner(undefined);
      // Same text as the refused attempt: same id, so the server cannot store it twice.
      const id = pending.current?.text === text && !pending.current.edit ? pending.current.id : generateId();
      pending.current = { id, text };
      accepted.current = false;
      await sendMessage({ id, role: "user", parts: [{ type: "text", text }] });
    },
    [busy, clearError, sendMessage],
  );

  /**
   * Sends an edited version of a sent user message: the view drops that message and the turns
   * below it (the server keeps them as the previous version's branch) and shows the new one.
   */
  const edit = useCallback(
    async (originalId: string, text: string) => {
      if (busy || !text.trim()) return;
      const snapshot = chat.messages;
      const at = snapshot.findIndex((m) => m.id === originalId);
      const original = snapshot[at];
      if (original?.role !== "user") return;
      clearError();
      setBanner(undefined);
      // Same edit as the refused attempt: same id, so the server cannot store it twice.
      const again = pending.current?.edit?.originalId === originalId && pending.current.text === text;
      const id = again && pending.current ? pending.current.id : generateId();
      const versions = [...(original.metadata?.versions ?? [original.id]), id];
      pending.current = { id, text, edit: { originalId, snapshot } };
      accepted.current = false;
      setEditing(null);
      setMessages(snapshot.slice(0, at));
      await sendMessage({ id, role: "user", parts: [{ type: "text", text }], metadata: { versions } });
    },
    [busy, chat, clearError, setMessages, sendMessage],
  );

  const answerAgain = useCallback(async () => {
    if (busy) return;
    clearError();
    setBanner(undefined);
    pending.current = null;
    accepted.current = false;
    const last = chat.messages.at(-1);
    regenerating.current = last?.role === "assistant" ? (last.metadata?.versions ?? [last.id]) : null;
    await regenerate();
  }, [busy, chat, clearError, regenerate]);

  const retry = useCallback(() => {
    const p = pending.current;
    if (p?.edit) return edit(p.edit.originalId, p.text);
    if (p) return send(draft);
    return answerAgain();
  }, [send, edit, draft, answerAgain]);

  /**
   * Shows another version of the message `fromId` (‹ ›): that version and the branch below it,
   * as the server has it, in place of the shown one and everything below it.
   */
  const showVersion = useCallback(
    async (fromId: string, toId: string): Promise<boolean> => {
      if (busy) return false;
      // Clicked again before the last one loaded: only the newest answer counts (responses may
      // arrive out of order), so ‹ ‹ fast ends on the version two back, not one.
      const seq = (versionRequests.current.get(fromId) ?? 0) + 1;
      versionRequests.current.set(fromId, seq);
      const stale = () => versionRequests.current.get(fromId) !== seq;
      const q = new URLSearchParams({ from: toId });
      const res = await fetch(`/api/chats/${encodeURIComponent(chatId)}/messages?${q}`).catch(() => null);
      if (stale()) return true;
      if (!res?.ok) {
        const body = (await res?.json().catch(() => null)) as Partial<ChatErrorPayload> | null;
        setBanner({
          code: body?.code ?? "PROVIDER_UNAVAILABLE",
          message: body?.message ?? VERSION_NOT_LOADED,
        });
        return false;
      }
      const page = (await res.json().catch(() => null)) as { messages: ChatUIMessage[] } | null;
      if (stale()) return true;
      if (!page) {
        setBanner({ code: "PROVIDER_UNAVAILABLE", message: VERSION_NOT_LOADED });
        return false;
      }
      versionRequests.current.delete(fromId);
      setEditing(null);
      setMessages((ms) => {
        const at = ms.findIndex((m) => m.id === fromId);
        return at < 0 ? ms : [...ms.slice(0, at), ...page.messages];
      });
      return true;
    },
    [busy, chatId, setMessages],
  );

  const dismiss = useCallback(() => {
    clearError();
    setBanner(undefined);
  }, [clearError]);

  return {
    messages,
    setMessages,
    status,
    busy,
    draft,
    setDraft,
    banner,
    retrying,
    saved,
    send,
    regenerate: answerAgain,
    edit,
    editing,
    setEditing,
    showVersion,
    retry,
    dismiss,
    stop,
  };
}

type PendingEdit = { originalId: string; snapshot: ChatUIMessage[] };

/** Passes the response through, calling `onStart` once the `start` chunk went by. */
function untilStart(onStart: () => void): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let seen = false;
  // The tail of what was read, so a marker split between two reads is still found.
  let tail = "";
  return new TransformStream({
    transform(chunk, controller) {
      if (!seen) {
        const text = tail + decoder.decode(chunk, { stream: true });
        if (text.includes('data: {"type":"start"')) {
          seen = true;
          onStart();
        } else {
          tail = text.slice(-32);
        }
      }
      controller.enqueue(chunk);
    },
  });
}
