"use client";

import { Brain, ChevronRight } from "lucide-react";
import type { ChatMessageMetadata, ChatUIMessage } from "@/lib/chat/types";

// What an answer shows besides its text: the model's reasoning (collapsed, streamed live) and
// the details of how it was asked (model, key, tokens, instructions and parameters).

/** The reasoning parts of an answer, joined, and whether they are still streaming. */
export function reasoningOf(m: ChatUIMessage): { text: string; streaming: boolean } {
  let text = "";
  let streaming = false;
  for (const p of m.parts) {
    if (p.type !== "reasoning") continue;
    text += p.text;
    if (p.state === "streaming") streaming = true;
  }
  return { text, streaming };
}

/**
 * The reasoning, collapsed under "Thinking…" while it streams and "Thoughts" after; opened with
 * a click or Enter (a native disclosure: its state survives the re-renders of each token).
 */
export function ReasoningBlock({ text, live }: { text: string; live: boolean }) {
  return (
    <details
      className="group/thinking rounded-lg border border-border bg-muted/40 text-sm"
      data-testid="reasoning"
    >
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-3 py-2 text-muted-foreground select-none hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring [&::-webkit-details-marker]:hidden">
        <ChevronRight className="size-4 transition-transform group-open/thinking:rotate-90" aria-hidden />
        <Brain className="size-4" aria-hidden />
        <span className={live ? "animate-pulse" : undefined}>{live ? "Thinking…" : "Thoughts"}</span>
      </summary>
      <div className="border-t border-border px-3 py-2 leading-6 whitespace-pre-wrap break-words text-muted-foreground">
        {text}
      </div>
    </details>
  );
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** A small disclosure under the answer: what was sent and what it cost in tokens. */
export function AnswerDetails({ meta, modelLabel }: { meta: ChatMessageMetadata; modelLabel?: string }) {
  const p = meta.params;
  const u = meta.usage;
  const rows: [string, string][] = [];
  if (modelLabel) rows.push(["Model", modelLabel]);
  if (meta.keySource)
    rows.push([
      "Key",
      meta.keySource === "system"
        ? "System key"
        : meta.keyLabel
          ? `Your personal key · ${meta.keyLabel}`
          : "Your personal key",
    ]);
  if (u) {
    rows.push(["Tokens in", fmt(u.inputTokens)]);
    rows.push([
      "Tokens out",
      u.reasoningTokens
        ? `${fmt(u.outputTokens)} (${fmt(u.reasoningTokens)} reasoning)`
        : fmt(u.outputTokens),
    ]);
  }
  if (p) {
    rows.push([
      "Instructions",
      p.system ? (p.systemSource === "chat" ? "Yes (this chat's)" : "Yes (your default)") : "None",
    ]);
    rows.push([
      "Temperature",
      p.temperature === undefined
        ? "Provider default"
        : p.temperatureIgnored
          ? `${p.temperature} (ignored by this model)`
          : String(p.temperature),
    ]);
    rows.push([
      "Max output",
      p.maxOutputTokens === undefined ? "Model default" : `${fmt(p.maxOutputTokens)} tokens`,
    ]);
  }
  if (rows.length === 0) return null;
  return (
    <details className="group/details text-xs text-muted-foreground" data-testid="answer-details">
      <summary className="inline-flex cursor-pointer list-none items-center gap-1 rounded px-1 py-0.5 select-none hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring [&::-webkit-details-marker]:hidden">
        <ChevronRight className="size-3 transition-transform group-open/details:rotate-90" aria-hidden />
        Details
      </summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 rounded-lg border border-border px-3 py-2">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-foreground/80">{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
