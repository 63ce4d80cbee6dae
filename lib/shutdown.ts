import { setMaxListeners } from "node:events";

// A process-wide "the server is shutting down" signal. The server entry (scripts/server.mjs)
// aborts it once the shutdown grace period is over; a chat stream links its request signal to it,
// so its turn ends the way a closed tab ends it: the upstream call is cancelled and the partial
// answer is stored as ABORTED before the database closes.
// On globalThis, not module scope: route handlers are separate bundles and the entry is not
// bundled at all. `__byokShutdown` (an AbortController) and `__byokOpenTurns` (how many linked
// requests have not released yet: the entry waits for 0 before it closes the database, so a
// partial answer is written before the connection goes) are the contract with the entry.

const g = globalThis as unknown as { __byokShutdown?: AbortController; __byokOpenTurns?: number };

export function shutdownSignal(): AbortSignal {
  g.__byokShutdown ??= new AbortController();
  return g.__byokShutdown.signal;
}

/**
 * A signal that aborts with `signal` or with the shutdown, whichever comes first. Call release()
 * once the work is over and stored (idempotent): it removes both listeners (every open stream
 * holds one on the shared shutdown signal, so they must not pile up) and the open-turn count.
 */
export function linkToShutdown(signal: AbortSignal): { signal: AbortSignal; release: () => void } {
  const shutdown = shutdownSignal();
  // One listener per open stream: hundreds are expected, not a leak.
  setMaxListeners(0, shutdown);
  const linked = new AbortController();
  const onRequestAbort = () => linked.abort(signal.reason);
  const onShutdown = () => linked.abort(new Error("The server is shutting down."));
  let released = false;
  g.__byokOpenTurns = (g.__byokOpenTurns ?? 0) + 1;
  const release = () => {
    if (released) return;
    released = true;
    g.__byokOpenTurns = (g.__byokOpenTurns ?? 1) - 1;
    signal.removeEventListener("abort", onRequestAbort);
    shutdown.removeEventListener("abort", onShutdown);
  };
  if (signal.aborted) onRequestAbort();
  else if (shutdown.aborted) onShutdown();
  else {
    signal.addEventListener("abort", onRequestAbort, { once: true });
    shutdown.addEventListener("abort", onShutdown, { once: true });
  }
  return { signal: linked.signal, release };
}
