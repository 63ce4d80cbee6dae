"use client";

import { Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { useEffect, useState } from "react";

// Until mounted the resolved theme is unknown on the server; render a neutral icon then.
function useResolvedTheme() {
  const { resolvedTheme, setTheme } = useTheme();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const dark = mounted && resolvedTheme === "dark";
  return { dark, mounted, toggle: () => setTheme(dark ? "light" : "dark") };
}

/** Icon-only toggle (auth pages). */
export function ThemeToggleButton({ className = "" }: { className?: string }) {
  const { dark, toggle } = useResolvedTheme();
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label="Toggle theme"
      title={dark ? "Switch to light theme" : "Switch to dark theme"}
      className={`inline-flex size-9 items-center justify-center rounded-lg text-muted-foreground transition-colors hover:bg-muted hover:text-foreground ${className}`}
    >
      {dark ? <Sun className="size-4" aria-hidden /> : <Moon className="size-4" aria-hidden />}
    </button>
  );
}

/** Full-width row for the account menu. */
export function ThemeToggleRow({ className = "" }: { className?: string }) {
  const { dark, mounted, toggle } = useResolvedTheme();
  return (
    <button type="button" onClick={toggle} aria-label="Toggle theme" className={className}>
      {dark ? <Sun className="size-4" aria-hidden /> : <Moon className="size-4" aria-hidden />}
      <span className="flex-1 text-left">Toggle theme</span>
      <span className="text-xs text-muted-foreground" aria-hidden>
        {mounted ? (dark ? "Dark" : "Light") : ""}
      </span>
    </button>
  );
}
