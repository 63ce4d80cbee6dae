"use client";

import { ThemeProvider, useTheme } from "next-themes";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

function ThemedToaster() {
  const { resolvedTheme } = useTheme();
  return (
    // Bottom right: clear of the header, the model picker and the chat's title. On a phone, above
    // the message box.
    <Toaster
      theme={resolvedTheme === "dark" ? "dark" : "light"}
      position="bottom-right"
      mobileOffset={{ bottom: "7.5rem" }}
      richColors
      closeButton
      toastOptions={{ duration: 6000 }}
    />
  );
}

export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <ThemeProvider
      attribute="class"
      defaultTheme="system"
      enableSystem
      disableTransitionOnChange
      nonce={nonce}
    >
      {children}
      <ThemedToaster />
    </ThemeProvider>
  );
}
