import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { linkToShutdown, shutdownSignal } from "./shutdown";

const g = globalThis as unknown as { __byokShutdown?: AbortController; __byokOpenTurns?: number };

afterEach(() => {
  g.__byokShutdown = undefined;
  g.__byokOpenTurns = undefined;
});

describe("linkToShutdown", () => {
  it("aborts with the request", () => {
    const req = new AbortController();
    const link = linkToShutdown(req.signal);
    req.abort();
    expect(link.signal.aborted).toBe(true);
  });

  it("aborts when the server entry aborts the process-wide controller", () => {
    const link = linkToShutdown(new AbortController().signal);
    expect(link.signal.aborted).toBe(false);
    g.__byokShutdown?.abort();
    expect(link.signal.aborted).toBe(true);
  });

  it("a request started after the shutdown began is aborted at once", () => {
    shutdownSignal();
    g.__byokShutdown?.abort();
    expect(linkToShutdown(new AbortController().signal).signal.aborted).toBe(true);
  });

  it("counts open turns and, once released, leaves no listener behind", () => {
    const req = new AbortController();
    const a = linkToShutdown(req.signal);
    const b = linkToShutdown(new AbortController().signal);
    expect(g.__byokOpenTurns).toBe(2);
    expect(getEventListeners(shutdownSignal(), "abort")).toHaveLength(2);
    a.release();
    a.release();
    b.release();
    expect(g.__byokOpenTurns).toBe(0);
    expect(getEventListeners(shutdownSignal(), "abort")).toHaveLength(0);
    expect(getEventListeners(req.signal, "abort")).toHaveLength(0);
  });
});
