import type { ModelMessage } from "ai";

// The model sees the conversation rebuilt from the database, not from the browser: a client
// cannot forge earlier assistant turns, and the request body stays one message long.

export type StoredTurnMessage = { role: string; content: string };

/** ~12k tokens at ~4 characters per token: fits every catalogue model with room for the answer. */
export const DEFAULT_CONTEXT_BUDGET_CHARS = 48_000;

/**
 * Keeps the newest messages that fit in `budgetChars` (the last one always), drops empty
 * assistant rows (failed turns), starts on a user message and merges same-role neighbours,
 * because Gemini rejects two consecutive turns of one role.
 */
export function buildContext(
  messages: StoredTurnMessage[],
  budgetChars = DEFAULT_CONTEXT_BUDGET_CHARS,
): ModelMessage[] {
  const usable = messages.filter(
    (m) => (m.role === "user" || m.role === "assistant") && m.content.trim().length > 0,
  );
  const kept: StoredTurnMessage[] = [];
  let used = 0;
  for (let i = usable.length - 1; i >= 0; i--) {
    const m = usable[i] as StoredTurnMessage;
    if (kept.length > 0 && used + m.content.length > budgetChars) break;
    kept.unshift(m);
    used += m.content.length;
  }
  while (kept.length > 1 && kept[0]?.role !== "user") kept.shift();

  const merged: { role: "user" | "assistant"; content: string }[] = [];
  for (const m of kept) {
    const role = m.role as "user" | "assistant";
    const last = merged[merged.length - 1];
    if (last && last.role === role) last.content = `${last.content}\n\n${m.content}`;
    else merged.push({ role, content: m.content });
  }
  return merged;
}
