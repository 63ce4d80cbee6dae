"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";

// Its own small module: the provider card (in the page's first load) and the key lists (loaded
// after it) both use it, and importing it must not pull the key lists into the first load.

/** One action at a time: `pending` names it; a thrown error (no answer) becomes a toast. */
export function useRun() {
  const [pending, setPending] = useState<string | null>(null);
  const [, startTransition] = useTransition();
  const run = (kind: string, work: () => Promise<void>) => {
    setPending(kind);
    startTransition(async () => {
      try {
        await work();
      } catch {
        toast.error("The server could not be reached. Try again.");
      } finally {
        setPending(null);
      }
    });
  };
  return { pending, run };
}
