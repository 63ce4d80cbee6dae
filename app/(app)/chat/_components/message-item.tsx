"use client";

import { Check, Copy, Pencil, RotateCcw } from "lucide-react";
import { memo, useEffect, useRef, useState } from "react";
import { costMicros, formatMicros, priceOf } from "@/lib/ai/prices";
import { isProviderId, PROVIDERS } from "@/lib/ai/registry";
import type { ChatMessageMetadata, ChatUIMessage } from "@/lib/chat/types";
import { AnswerDetails, ReasoningBlock, reasoningOf } from "./answer-extras";
import { Markdown } from "./markdown";
import { MessageEditor, VersionSwitcher } from "./message-versions";
import { KeyBadge } from "./model-picker";
import { iconButton } from "./styles";

type Props = {
  message: ChatUIMessage;
  streaming: boolean;
  /** Set on the last answer when nothing is in flight. */
  onRegenerate?: () => void;
  /** Shows another version of this message (‹ ›); disabled while a turn is in flight. */
  onShowVersion?: (fromId: string, toId: string) => Promise<boolean>;
  busy?: boolean;
  /** A user message: opens its inline editor (absent when it cannot be edited now). */
  onEdit?: (id: string, text: string) => void;
  /** A user message being edited: the editor's state and actions. */
  editor?: { text: string; onChange: (t: string) => void; onSave: () => void; onCancel: () => void };
  maxChars?: number;
};

export const messageText = (m: ChatUIMessage) =>
  m.parts.map((p) => (p.type === "text" ? p.text : "")).join("");

export const MessageItem = memo(function MessageItem({
  message,
  streaming,
  onRegenerate,
  onShowVersion,
  busy = false,
  onEdit,
  editor,
  maxChars = 32_000,
}: Props) {
  const text = messageText(message);
  const meta = message.metadata ?? {};
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // Cancelling an edit puts focus back on the Edit button it came from.
  useEffect(() => {
    if (wasEditing.current && !editor) editButton.current?.focus();
    wasEditing.current = editor !== undefined;
  }, [editor]);
  // The version asked for while it loads: the switcher counts from it at once, so a second ‹
  // goes one further back (the message is replaced, and this state with it, when it arrives).
  const [showing, setShowing] = useState<string | null>(null);
  const latestShow = useRef<string | null>(null);
  const show = (to: string) => {
    if (!onShowVersion) return;
    setShowing(to);
    latestShow.current = to;
    void onShowVersion(message.id, to).then((ok) => {
      if (!ok && latestShow.current === to) setShowing(null);
    });
  };
  const versions =
    meta.versions && onShowVersion ? (
      <VersionSwitcher
        versions={meta.versions}
        current={showing ?? message.id}
        onShow={show}
        disabled={busy}
        what={message.role === "user" ? "message" : "answer"}
      />
    ) : null;
  if (message.role === "user") {
    if (editor) {
      return (
        <div className="flex flex-col items-end gap-1" data-testid="message-user">
          <MessageEditor {...editor} disabled={busy} maxChars={maxChars} />
        </div>
      );
    }
    return (
      <div className="group flex flex-col items-end gap-1" data-testid="message-user">
        <div className="max-w-[85%] rounded-2xl rounded-br-md bg-muted px-4 py-2.5 text-[15px] leading-6 whitespace-pre-wrap break-words sm:max-w-[75%]">
          {text}
        </div>
        <div className="flex items-center gap-1">
          <div className="flex opacity-100 transition-opacity sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
            <CopyButton text={text} />
            {onEdit ? (
              <button
                ref={editButton}
                type="button"
                aria-label="Edit message"
                title="Edit message"
                className={iconButton}
                onClick={() => onEdit(message.id, text)}
              >
                <Pencil className="size-4" aria-hidden />
              </button>
            ) : null}
          </div>
          {versions}
        </div>
      </div>
    );
  }
  const reasoning = reasoningOf(message);
  return (
    <div className="group flex flex-col gap-1.5" data-testid="message-assistant">
      {reasoning.text ? (
        <ReasoningBlock text={reasoning.text} live={streaming && reasoning.streaming} />
      ) : null}
      {text ? (
        <Markdown text={text} streaming={streaming} />
      ) : streaming && !reasoning.text ? (
        <TypingDots />
      ) : null}
      <StatusNote meta={meta} streaming={streaming} hasText={text.length > 0} />
      {!streaming ? (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <div className="-ml-1.5 flex items-center">
            {versions}
            {text ? <CopyButton text={text} /> : null}
            {onRegenerate ? (
              <button
                type="button"
                onClick={onRegenerate}
                aria-label="Regenerate"
                title="Regenerate"
                className={iconButton}
              >
                <RotateCcw className="size-4" aria-hidden />
              </button>
            ) : null}
          </div>
          <MetaLine meta={meta} />
        </div>
      ) : null}
      {!streaming ? <AnswerDetails meta={meta} modelLabel={modelLabel(meta.provider, meta.model)} /> : null}
    </div>
  );
});

function modelLabel(provider?: string, model?: string): string | undefined {
  if (!model) return undefined;
  if (provider && isProviderId(provider))
    return PROVIDERS[provider].models.find((m) => m.id === model)?.label ?? model;
  return model;
}

function MetaLine({ meta }: { meta: ChatMessageMetadata }) {
  const label = modelLabel(meta.provider, meta.model);
  if (!label) return null;
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
      <span>{label}</span>
      {meta.keySource ? <KeyBadge source={meta.keySource} /> : null}
      {meta.usage ? (
        <span title="Tokens sent to / received from the model">
          {meta.usage.inputTokens.toLocaleString()} in · {meta.usage.outputTokens.toLocaleString()} out tokens
        </span>
      ) : null}
      {meta.usage && meta.provider && meta.model ? (
        <span
          data-testid="answer-cost"
          title="Estimated from list prices; your provider's bill is what counts"
        >
          {priceOf(meta.provider, meta.model)
            ? `≈ ${formatMicros(costMicros(meta.provider, meta.model, meta.usage.inputTokens, meta.usage.outputTokens))}`
            : "price unknown"}
        </span>
      ) : null}
    </p>
  );
}

function StatusNote({
  meta,
  streaming,
  hasText,
}: {
  meta: ChatMessageMetadata;
  streaming: boolean;
  hasText: boolean;
}) {
  if (streaming) return null;
  if (meta.status === "ABORTED")
    return (
      <p className="text-xs text-muted-foreground italic">
        Stopped{hasText ? "" : " before the answer started"}.
      </p>
    );
  if (meta.status === "ERROR") {
    return (
      <p className="text-xs text-destructive">
        {hasText ? "The answer was cut off" : "This answer failed"}
        {meta.errorCode ? ` (${meta.errorCode.toLowerCase().replaceAll("_", " ")})` : ""}. Regenerate to try
        again.
      </p>
    );
  }
  return null;
}

function TypingDots() {
  return (
    <span className="inline-flex h-7 items-center gap-1" role="status" aria-label="Waiting for the answer">
      {[0, 150, 300].map((d) => (
        <span
          key={d}
          className="size-1.5 animate-bounce rounded-full bg-muted-foreground/60"
          style={{ animationDelay: `${d}ms` }}
        />
      ))}
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label="Copy"
      title={copied ? "Copied" : "Copy"}
      className={iconButton}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          // Clipboard refused (permissions, insecure origin): nothing useful to add.
        }
      }}
    >
      {copied ? (
        <Check className="size-4 text-success" aria-hidden />
      ) : (
        <Copy className="size-4" aria-hidden />
      )}
      <span className="sr-only" aria-live="polite">
        {copied ? "Copied" : ""}
      </span>
    </button>
  );
}
