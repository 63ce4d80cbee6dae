"use client";

import { Download, FileJson, FileText, SquarePen } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { iconButton } from "./styles";

const ITEM =
  "flex h-9 w-full items-center gap-2.5 rounded-md px-2.5 text-sm text-foreground transition-colors hover:bg-muted focus-visible:bg-muted";

/**
 * The chat header's actions: Export (a disclosure with the two download links, like the
 * account menu) once the chat is saved, and New chat (from md up; phones have it in the top bar).
 */
export function ChatActions({
  chatId,
  canExport,
  afterTitle,
}: {
  chatId: string;
  canExport: boolean;
  /** The title (shown from lg up) already pushes the actions to the right. */
  afterTitle: boolean;
}) {
  return (
    <div className={`ml-auto flex items-center gap-0.5 ${afterTitle ? "lg:ml-0" : ""}`}>
      {canExport ? <ExportMenu chatId={chatId} /> : null}
      <Link href="/chat" aria-label="New chat" title="New chat" className={`${iconButton} max-md:hidden`}>
        <SquarePen className="size-4" aria-hidden />
      </Link>
    </div>
  );
}

function ExportMenu({ chatId }: { chatId: string }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const href = (format: "md" | "json") => `/api/chats/${encodeURIComponent(chatId)}/export?format=${format}`;

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>(`#${CSS.escape(panelId)} a`)?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault(); // not also "stop the answer" (keyboard-shortcuts)
      e.stopPropagation();
      setOpen(false);
      trigger.current?.focus();
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open, panelId]);

  // After a download starts, focus returns to the button that opened the menu.
  const picked = () => {
    setOpen(false);
    trigger.current?.focus();
  };

  return (
    <div ref={root} className="relative">
      <button
        ref={trigger}
        type="button"
        onClick={() => setOpen((v) => !v)}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        title="Export this chat"
        className="inline-flex h-8 items-center gap-1.5 rounded-lg px-2 text-sm text-muted-foreground transition-colors hover:bg-muted hover:text-foreground aria-expanded:bg-muted aria-expanded:text-foreground"
      >
        <Download className="size-4" aria-hidden />
        <span className="max-sm:sr-only">Export</span>
      </button>
      {open ? (
        <div
          id={panelId}
          className="absolute top-full right-0 z-50 mt-1 w-56 rounded-xl border border-border bg-card p-1.5 shadow-lg"
        >
          <a href={href("md")} download className={ITEM} onClick={picked}>
            <FileText className="size-4" aria-hidden />
            Markdown (.md)
          </a>
          <a href={href("json")} download className={ITEM} onClick={picked}>
            <FileJson className="size-4" aria-hidden />
            JSON, with usage (.json)
          </a>
        </div>
      ) : null}
    </div>
  );
}
