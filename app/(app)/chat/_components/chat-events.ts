"use client";

import { useEffect } from "react";

// The history list lives in the layout, the conversation in the page: a window event tells the
// list to refetch when a chat was created, answered, renamed or deleted.

const EVENT = "byok:chats-changed";

export function notifyChatsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function useChatsChanged(onChange: () => void): void {
  useEffect(() => {
    window.addEventListener(EVENT, onChange);
    return () => window.removeEventListener(EVENT, onChange);
  }, [onChange]);
}
