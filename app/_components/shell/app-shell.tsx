"use client";

import { Keyboard, Menu, SquarePen, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { LogoMark } from "@/app/_components/logo";
import { AccountMenu } from "@/app/_components/shell/account-menu";
import { KeyboardShortcuts } from "@/app/_components/shell/keyboard-shortcuts";
import { SidebarNav } from "@/app/_components/shell/sidebar-nav";

type Props = {
  user: { email: string; name: string | null; isAdmin?: boolean };
  /** The chat history list (filled in by the chat feature). */
  history: ReactNode;
  children: ReactNode;
};

// One sidebar element: a fixed column from md up, an off-canvas drawer below. When the drawer
// is closed it is `invisible`, so it leaves the tab order and the accessibility tree.
export function AppShell({ user, history, children }: Props) {
  const [open, setOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const showSidebar = useCallback(() => {
    if (!window.matchMedia("(min-width: 768px)").matches) setOpen(true);
  }, []);
  const pathname = usePathname();
  const openButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  // Set when the person closes the drawer themselves: focus then returns to the menu button.
  const restoreFocus = useRef(false);
  const close = useCallback(() => {
    restoreFocus.current = true;
    setOpen(false);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: close the drawer whenever the route changes
  useEffect(() => setOpen(false), [pathname]);

  // Widening past the drawer breakpoint closes the drawer (and un-inerts the page behind it).
  useEffect(() => {
    const wide = window.matchMedia("(min-width: 768px)");
    const onChange = () => wide.matches && setOpen(false);
    wide.addEventListener("change", onChange);
    return () => wide.removeEventListener("change", onChange);
  }, []);

  useEffect(() => {
    if (!open) {
      if (restoreFocus.current) openButton.current?.focus();
      restoreFocus.current = false;
      return;
    }
    closeButton.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open, close]);

  return (
    <div className="flex h-dvh overflow-hidden bg-background">
      {/* Out of reach while the drawer is open, like the page it skips to. */}
      <a href="#main-content" className="skip-link" inert={open || undefined}>
        Skip to content
      </a>
      {open ? (
        <div
          aria-hidden
          onClick={close}
          className="fixed inset-0 z-30 bg-black/40 backdrop-blur-[1px] md:hidden"
        />
      ) : null}

      <aside
        id="app-sidebar"
        aria-label="Sidebar"
        className={`fixed inset-y-0 left-0 z-40 flex w-[280px] max-w-[85vw] flex-col border-r border-border bg-sidebar duration-200 ease-out md:static md:visible md:w-[260px] md:translate-x-0 ${
          // Opening shows it at once (so it can take focus); closing hides it after the slide.
          open
            ? "visible translate-x-0 shadow-2xl transition-[translate]"
            : "invisible -translate-x-full transition-[translate,visibility]"
        }`}
      >
        <div className="flex h-14 shrink-0 items-center gap-2.5 px-4">
          <LogoMark className="size-7" />
          <span className="flex-1 text-[15px] font-semibold tracking-tight">BYOK Chat</span>
          <button
            ref={closeButton}
            type="button"
            onClick={close}
            aria-label="Close sidebar"
            className="inline-flex size-8 items-center justify-center rounded-lg text-muted-foreground hover:bg-muted hover:text-foreground md:hidden"
          >
            <X className="size-4" aria-hidden />
          </button>
        </div>
        <SidebarNav admin={user.isAdmin} />
        <section aria-labelledby="history-heading" className="mt-4 flex min-h-0 flex-1 flex-col">
          <h2
            id="history-heading"
            className="px-5 pb-1.5 text-xs font-medium tracking-wide text-muted-foreground uppercase"
          >
            Recent chats
          </h2>
          <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">{history}</div>
        </section>
        <div className="flex items-center gap-1 border-t border-border p-2">
          <div className="min-w-0 flex-1">
            <AccountMenu email={user.email} name={user.name} />
          </div>
          <button
            type="button"
            onClick={() => setHelpOpen(true)}
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            className="inline-flex size-9 shrink-0 items-center justify-center rounded-lg text-muted-foreground hover:bg-muted hover:text-foreground"
          >
            <Keyboard className="size-4" aria-hidden />
          </button>
        </div>
      </aside>

      {/* While the drawer is open the page behind it takes no focus or clicks. */}
      <div className="flex min-w-0 flex-1 flex-col" inert={open || undefined}>
        <header className="flex h-14 shrink-0 items-center gap-2 border-b border-border px-3 md:hidden">
          <button
            ref={openButton}
            type="button"
            onClick={() => setOpen(true)}
            aria-label="Open sidebar"
            aria-expanded={open}
            aria-controls="app-sidebar"
            className="inline-flex size-9 items-center justify-center rounded-lg text-muted-foreground hover:bg-muted hover:text-foreground"
          >
            <Menu className="size-5" aria-hidden />
          </button>
          <LogoMark className="size-6 rounded-md" />
          <span className="flex-1 text-[15px] font-semibold tracking-tight">BYOK Chat</span>
          <Link
            href="/chat"
            aria-label="New chat"
            title="New chat"
            className="inline-flex size-9 items-center justify-center rounded-lg text-muted-foreground hover:bg-muted hover:text-foreground"
          >
            <SquarePen className="size-5" aria-hidden />
          </Link>
        </header>
        <main id="main-content" tabIndex={-1} className="min-h-0 flex-1 overflow-y-auto outline-none">
          {children}
        </main>
      </div>
      {/* Outside the inert page so its dialog works while the drawer is open. */}
      <KeyboardShortcuts showSidebar={showSidebar} helpOpen={helpOpen} setHelpOpen={setHelpOpen} />
    </div>
  );
}
