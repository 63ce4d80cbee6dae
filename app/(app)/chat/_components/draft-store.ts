"use client";

// The composer's draft, kept per chat in sessionStorage until it is sent: following the error
// banner's "Update API key" to the settings and coming back must not lose what was typed. A new
// chat gets a fresh id on every visit to /chat, so its draft is kept under "new". Keyed by user
// too: someone who signs in after a sign-out in the same tab never gets another account's text.

const PREFIX = "byok:draft:";

export function draftKey(userId: string, chatId: string, isNew: boolean): string {
  return `${PREFIX}${userId}:${isNew ? "new" : chatId}`;
}

export function readDraft(key: string): string {
  try {
    return window.sessionStorage.getItem(key) ?? "";
  } catch {
    // Storage blocked (privacy mode, sandboxed frame): the draft lives in memory only.
    return "";
  }
}

export function writeDraft(key: string, text: string): void {
  try {
    if (text) window.sessionStorage.setItem(key, text);
    else window.sessionStorage.removeItem(key);
  } catch {
    // Full or blocked: nothing better to do than keep the in-memory draft.
  }
}
