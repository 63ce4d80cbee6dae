"use client";

import { ChevronsUpDown, KeyRound, LoaderCircle, LogOut, UserRound } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { useFormStatus } from "react-dom";
import { ThemeToggleRow } from "@/app/_components/theme-toggle";
import { signOutAction } from "@/app/(auth)/actions";

const ITEM =
  "flex h-9 w-full items-center gap-2.5 rounded-md px-2.5 text-sm text-foreground transition-colors hover:bg-muted focus-visible:bg-muted";

function SignOutButton() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} className={ITEM}>
      {pending ? (
        <LoaderCircle className="size-4 animate-spin" aria-hidden />
      ) : (
        <LogOut className="size-4" aria-hidden />
      )}
      <span className="flex-1 text-left">Sign out</span>
    </button>
  );
}

// A disclosure (button + panel of ordinary buttons) rather than an ARIA menu: simpler to use
// with any assistive technology and needs no roving focus.
export function AccountMenu({ email, name }: { email: string; name: string | null }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const initial = (name?.trim() || email).charAt(0).toUpperCase();

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>(`#${CSS.escape(panelId)} :is(a, button)`)?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      setOpen(false);
      trigger.current?.focus();
    };
    // Tabbing out of the menu closes it, as Escape and a click elsewhere do.
    const onFocusOut = (e: FocusEvent) => {
      const next = e.relatedTarget as Node | null;
      if (next && !root.current?.contains(next)) setOpen(false);
    };
    const el = root.current;
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey, true);
    el?.addEventListener("focusout", onFocusOut);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey, true);
      el?.removeEventListener("focusout", onFocusOut);
    };
  }, [open, panelId]);

  return (
    <div ref={root} className="relative">
      {open ? (
        <div
          id={panelId}
          className="absolute inset-x-0 bottom-full z-50 mb-2 rounded-xl border border-border bg-card p-1.5 shadow-lg"
        >
          <div className="px-2.5 pt-1.5 pb-2">
            <p className="text-xs text-muted-foreground">Signed in as</p>
            <p className="truncate text-sm font-medium" title={email}>
              {email}
            </p>
          </div>
          <div className="my-1 h-px bg-border" />
          <Link href="/settings/profile" className={ITEM} onClick={() => setOpen(false)}>
            <UserRound className="size-4" aria-hidden />
            Profile
          </Link>
          <Link href="/settings/ai" className={ITEM} onClick={() => setOpen(false)}>
            <KeyRound className="size-4" aria-hidden />
            AI settings
          </Link>
          <ThemeToggleRow className={ITEM} />
          <form action={signOutAction}>
            <SignOutButton />
          </form>
        </div>
      ) : null}
      <button
        ref={trigger}
        type="button"
        onClick={() => setOpen((v) => !v)}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        className="flex w-full items-center gap-2.5 rounded-lg px-2 py-2 text-left transition-colors hover:bg-muted aria-expanded:bg-muted"
      >
        <span
          aria-hidden
          className="grid size-8 shrink-0 place-items-center rounded-full bg-primary-soft text-sm font-semibold text-primary-ink"
        >
          {initial}
        </span>
        {/* Named by what it shows (WCAG 2.5.3: an aria-label would hide the visible text from
            speech input), after a hidden "Account menu:" that says what it opens. */}
        <span className="sr-only">Account menu: </span>
        <span className="min-w-0 flex-1">
          {name ? <span className="block truncate text-sm font-medium">{name}</span> : null}
          <span className={`block truncate ${name ? "text-xs text-muted-foreground" : "text-sm"}`}>
            {email}
          </span>
        </span>
        <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" aria-hidden />
      </button>
    </div>
  );
}
