import type { ReactNode } from "react";
import { LogoMark } from "@/app/_components/logo";
import { ThemeToggleButton } from "@/app/_components/theme-toggle";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="relative flex min-h-dvh flex-col bg-background">
      <a href="#main-content" className="skip-link">
        Skip to content
      </a>
      {/* A faint wash of the accent colour behind the card. */}
      <div
        aria-hidden
        className="pointer-events-none absolute inset-x-0 top-0 h-80 bg-[radial-gradient(ellipse_at_top,var(--primary-soft),transparent_70%)]"
      />
      <header className="relative flex justify-end p-3">
        <ThemeToggleButton />
      </header>
      <main
        id="main-content"
        tabIndex={-1}
        className="relative outline-none flex flex-1 flex-col items-center px-4 pt-4 pb-16 sm:pt-10"
      >
        <div className="w-full max-w-[400px]">
          <div className="mb-7 flex flex-col items-center text-center">
            <LogoMark className="size-11 rounded-xl" />
            <p className="mt-4 text-xl font-semibold tracking-tight">BYOK Chat</p>
            <p className="mt-1 text-sm text-muted-foreground">Chat with AI on your own API keys</p>
          </div>
          <div className="rounded-2xl border border-border bg-card p-6 shadow-[0_1px_3px_rgb(0_0_0/0.04),0_8px_24px_-12px_rgb(0_0_0/0.12)] sm:p-8">
            {children}
          </div>
        </div>
      </main>
    </div>
  );
}
