"use client";

import { Keyboard, X } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useRef, useSyncExternalStore } from "react";

// App-wide keyboard shortcuts and the small dialog that lists them. The keys follow what chat
// apps people know use (new chat Ctrl/⌘+Shift+O, focus the composer Shift+Esc, search Ctrl/⌘+K);
// none of them is a single printable key, so typing in a field never triggers one — except "?",
// which only opens the help when focus is not in a text field.

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const noSubscribe = () => () => {};

/** The modifier's name on this platform; "Ctrl" in the server render. */
function useModKey(): string {
  return useSyncExternalStore(
    noSubscribe,
    () => (isMac() ? "⌘" : "Ctrl"),
    () => "Ctrl",
  );
}

export const SHORTCUTS = [
  { id: "new-chat", keys: (mod: string) => [mod, "Shift", "O"], label: "New chat" },
  { id: "search", keys: (mod: string) => [mod, "K"], label: "Search chats" },
  { id: "composer", keys: () => ["Shift", "Esc"], label: "Focus the message box" },
  { id: "stop", keys: () => ["Esc"], label: "Stop the answer being written" },
  { id: "help", keys: (mod: string) => [mod, "/"], label: "Show these shortcuts (or ?)" },
] as const;

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

type Props = {
  /** Makes the sidebar visible (the phone drawer) before its search box takes focus. */
  showSidebar: () => void;
  helpOpen: boolean;
  setHelpOpen: (next: boolean | ((open: boolean) => boolean)) => void;
};

export function KeyboardShortcuts({ showSidebar, helpOpen, setHelpOpen }: Props) {
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const mod = e.metaKey || e.ctrlKey;
      const key = e.key.toLowerCase();
      // Another dialog (delete confirmation…) owns the keyboard while it is open.
      const modalOpen = !!document.querySelector("dialog[open]");
      if (mod && e.shiftKey && key === "o") {
        e.preventDefault();
        if (pathname !== "/chat") router.push("/chat");
        else document.getElementById("composer")?.focus();
      } else if (mod && !e.shiftKey && key === "k") {
        e.preventDefault();
        showSidebar();
        // The drawer becomes visible on the next frame; focus after it.
        requestAnimationFrame(() => document.getElementById("chat-search")?.focus());
      } else if (e.shiftKey && e.key === "Escape" && !modalOpen) {
        e.preventDefault();
        document.getElementById("composer")?.focus();
      } else if (mod && (key === "/" || key === "?")) {
        e.preventDefault();
        setHelpOpen((v) => !v);
      } else if (e.key === "?" && !mod && !typing(e.target) && !modalOpen) {
        e.preventDefault();
        setHelpOpen(true);
      } else if (
        e.key === "Escape" &&
        !e.shiftKey &&
        !modalOpen &&
        // Escape in another field (renaming a chat, the search) belongs to that field.
        !(typing(e.target) && (e.target as HTMLElement).id !== "composer")
      ) {
        const stop = document.querySelector<HTMLButtonElement>('main button[aria-label="Stop"]');
        if (stop) {
          e.preventDefault();
          stop.click();
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [pathname, router, showSidebar, setHelpOpen]);

  return <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />;
}

/** The shortcuts list, in a native modal dialog (focus trapped and restored by the browser). */
function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const mod = useModKey();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-xl border border-border bg-card p-5 text-foreground shadow-2xl backdrop:bg-black/40"
    >
      <div className="flex items-center justify-between gap-3">
        <h2 id={titleId} className="flex items-center gap-2 text-base font-semibold">
          <Keyboard className="size-4" aria-hidden />
          Keyboard shortcuts
        </h2>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close"
          className="inline-flex size-8 items-center justify-center rounded-lg text-muted-foreground hover:bg-muted hover:text-foreground"
        >
          <X className="size-4" aria-hidden />
        </button>
      </div>
      <dl className="mt-4 space-y-2 text-sm">
        {SHORTCUTS.map((s) => (
          <div key={s.id} className="flex items-center justify-between gap-4">
            <dt className="text-muted-foreground">{s.label}</dt>
            <dd className="flex shrink-0 gap-1">
              {s.keys(mod).map((k) => (
                <kbd
                  key={k}
                  className="min-w-6 rounded-md border border-border bg-muted px-1.5 py-0.5 text-center font-mono text-xs text-foreground"
                >
                  {k}
                </kbd>
              ))}
            </dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
