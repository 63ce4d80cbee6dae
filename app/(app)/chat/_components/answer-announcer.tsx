"use client";

import { useEffect, useRef, useState } from "react";
import type { ChatUIMessage } from "@/lib/chat/types";

const MAX_SPOKEN = 1000;

const textOf = (m: ChatUIMessage) => m.parts.map((p) => (p.type === "text" ? p.text : "")).join("");

/**
 * A polite live region that reads each answer once it has finished streaming (not every token:
 * a screen reader would stutter through partial sentences). Answers already on the page when it
 * opens are not read out.
 */
export function AnswerAnnouncer({ messages, busy }: { messages: ChatUIMessage[]; busy: boolean }) {
  const [said, setSaid] = useState("");
  const lastSpoken = useRef<string | undefined>(messages.at(-1)?.id);
  const last = messages.at(-1);
  useEffect(() => {
    if (busy || !last || last.role !== "assistant" || lastSpoken.current === last.id) return;
    lastSpoken.current = last.id;
    const text = textOf(last).replace(/\s+/g, " ").trim();
    const status = last.metadata?.status;
    const note = status === "ABORTED" ? " (stopped)" : status === "ERROR" ? " (cut off)" : "";
    setSaid(
      text
        ? `Answer${note}: ${text.length > MAX_SPOKEN ? `${text.slice(0, MAX_SPOKEN)}…` : text}`
        : `No answer${note}.`,
    );
  }, [busy, last]);
  return (
    <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="answer-announcer">
      {said}
    </div>
  );
}
