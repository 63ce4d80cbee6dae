"use client";

import { Chat, useChat } from "@ai-sdk/react";
import { DefaultChatTransport, generateId } from "ai";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatErrorPayload, ChatMessageMetadata, ChatUIMessage } from "@/lib/chat/types";
import { notifyChatsChanged } from "./chat-events";
import { messageText } from "./message-item";
import { parseChatError } from "./parse-error";
import type { Selection } from "./types";

// useChat plus the product's rules: the browser sends only the new message (the server loads
// the history), the draft is cleared only once the server accepted it, a refused send takes its
// optimistic bubble back, and a resend of an unchanged draft reuses its id (idempotent).

type Options = {
  chatId: string;
  isNew: boolean;
  initialMessages: ChatUIMessage[];
  selection: Selection;
};

export function useChatSession({ chatId, isNew, initialMessages, selection }: Options) {
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  // The message being sent from the composer, until the server accepts it.
  const pending = useRef<{ id: string; text: string } | null>(null);
  const accepted = useRef(true);
  const [draft, setDraft] = useState("");
  const [banner, setBanner] = useState<ChatErrorPayload>();
  const chatRef = useRef<Chat<ChatUIMessage> | null>(null);
  const onAccepted = useRef<() => void>(() => undefined);

  const [chat] = useState(() => {
    const c = new Chat<ChatUIMessage>({
      id: chatId,
      messages: initialMessages,
      transport: new DefaultChatTransport<ChatUIMessage>({
        api: "/api/chat",
        // The server answers 200 only once the first token is in hand: that is "accepted".
        // (Watching status for "streaming" misses fast answers whose updates are batched.)
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (res.ok) onAccepted.current();
          return res;
        },
        prepareSendMessagesRequest: ({ id, messages, trigger }) => {
          const last = messages.findLast((m) => m.role === "user");
          const { provider, model } = selectionRef.current;
          return {
            body: {
              id,
              message: { id: last?.id ?? "", text: last ? messageText(last) : "" },
              provider,
              model,
              ...(trigger === "regenerate-message" ? { regenerate: true } : {}),
            },
          };
        },
      }),
      onFinish: ({ message, isAbort, isError }) => {
        if (message.role === "assistant" && (isAbort || isError)) {
          const status: ChatMessageMetadata["status"] = isAbort ? "ABORTED" : "ERROR";
          const chatNow = chatRef.current;
          if (chatNow) {
            chatNow.messages = chatNow.messages.map((m) =>
              m.id === message.id ? { ...m, metadata: { ...m.metadata, status } } : m,
            );
          }
        }
        notifyChatsChanged();
        // The model-written title of a new chat lands a moment after its first answer.
        if (isNew) setTimeout(notifyChatsChanged, 3000);
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
    accepted.current = true;
    if (pending.current) {
      pending.current = null;
      setDraft("");
    }
    // The first answer of a new chat gives it its address, without reloading the page.
    if (isNew && window.location.pathname !== `/chat/${chatId}`) {
      window.history.replaceState(null, "", `/chat/${chatId}`);
    }
    notifyChatsChanged();
  };

  useEffect(() => {
    if (status === "ready" && !accepted.current && pending.current) {
      // Stopped before the server accepted it: the draft is still in the composer.
      const id = pending.current.id;
      accepted.current = true;
      setMessages((ms) => ms.filter((m) => m.id !== id));
    }
  }, [status, setMessages]);

  useEffect(() => {
    if (status !== "error") return;
    const payload = parseChatError(error);
    setBanner(payload);
    if (!accepted.current && pending.current) {
      const id = pending.current.id;
      setMessages((ms) => ms.filter((m) => m.id !== id));
    }
    accepted.current = true;
    notifyChatsChanged();
  }, [status, error, setMessages]);

  const send = useCallback(
    async (text: string) => {
      if (busy || !text.trim()) return;
      clearError();
      setBanner(undefined);
      // Same text as the refused attempt: same id, so the server cannot store it twice.
      const id = pending.current?.text === text ? pending.current.id : generateId();
      pending.current = { id, text };
      accepted.current = false;
      await sendMessage({ id, role: "user", parts: [{ type: "text", text }] });
    },
    [busy, clearError, sendMessage],
  );

  const answerAgain = useCallback(async () => {
    if (busy) return;
    clearError();
    setBanner(undefined);
    pending.current = null;
    accepted.current = false;
    await regenerate();
  }, [busy, clearError, regenerate]);

  const retry = useCallback(() => {
    if (pending.current) return send(draft);
    return answerAgain();
  }, [send, draft, answerAgain]);

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
    send,
    regenerate: answerAgain,
    retry,
    dismiss,
    stop,
  };
}
