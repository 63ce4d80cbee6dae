import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent } from "undici";
import { appRequest } from "./arms";
import { runStream } from "./client";
import { type MemoryUsage, memoryAfterGc } from "./probe-control";
import { type Child, groupRss, serverPid } from "./procs";
import { median, slope } from "./stats";

// The memory phase: how much the server holds per open stream, and how many it sustains.

async function sampleRss(server: Child, n = 5, everyMs = 200): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    values.push(groupRss(server));
    await sleep(everyMs);
  }
  return median(values);
}

export type MemoryResult = {
  idleBytes: number;
  levels: { streams: number; started: number; rssBytes: number; liveHeapBytes?: number; openMs: number }[];
  perStreamBytes: number;
  /** JS heap + external memory still reachable after a full GC, per open stream. */
  liveHeapPerStreamBytes?: number;
  idleLiveHeapBytes?: number;
  sustained: { streams: number; started: number; errors: number };
};

/**
 * Opens `n` app streams for a user whose key makes the mock slow (a token every 250 ms) and
 * resolves once every one has streamed two tokens or ended (bounded by 45 s). close() drops them.
 */
export async function openSlowStreams(n: number, appUrl: string, cookie: string, agent: Agent) {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // one signal ends every stream
  let flowing = 0;
  let settled = 0;
  const runs = Array.from({ length: n }, () =>
    runStream(agent, appRequest(appUrl, cookie), {
      signal: ac.signal,
      onToken: (count) => {
        if (count === 2) flowing++;
      },
    }),
  );
  for (const p of runs) void p.then(() => settled++);
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && flowing + settled < n) await sleep(50);
  return {
    flowing: () => flowing,
    openNow: () => Math.max(0, flowing - settled),
    close: () => {
      ac.abort();
      return Promise.all(runs);
    },
  };
}

const live = (m: MemoryUsage | undefined) => (m ? m.heapUsed + m.external : undefined);

/**
 * Opens `levels` of long-lived app streams (a user whose key makes the mock slow: one token
 * every 250 ms), samples the server's RSS while all are open, then drops them. RSS per stream
 * is the least-squares slope of RSS over the number of open streams, idle included. With the
 * probe, the live heap after a full GC is measured the same way (what streams really hold,
 * without the garbage RSS also carries).
 */
export async function memoryPhase(opts: {
  levels: number[];
  appUrl: string;
  slowCookie: string;
  agent: Agent;
  server: Child;
  probeDir?: string;
}): Promise<MemoryResult> {
  const pid = serverPid(opts.server);
  const heap = (tag: string) =>
    opts.probeDir ? memoryAfterGc(pid, opts.probeDir, tag) : Promise.resolve(undefined);
  // A full GC first, so the idle figure is not warm-up garbage that the first level's GC frees.
  const idleLive = live(await heap("idle"));
  await sleep(1500);
  const idleBytes = await sampleRss(opts.server);
  const points = [{ x: 0, y: idleBytes }];
  const heapPoints = idleLive === undefined ? [] : [{ x: 0, y: idleLive }];
  const levels: MemoryResult["levels"] = [];
  let sustained = { streams: 0, started: 0, errors: 0 };
  for (const n of opts.levels) {
    const t0 = performance.now();
    const open = await openSlowStreams(n, opts.appUrl, opts.slowCookie, opts.agent);
    const openMs = performance.now() - t0;
    const rssBytes = await sampleRss(opts.server);
    const liveHeapBytes = live(await heap(String(n)));
    const openNow = open.openNow();
    const flowing = open.flowing();
    const errors = (await open.close()).filter((r) => !r.ok).length;
    levels.push({ streams: n, started: flowing, rssBytes, liveHeapBytes, openMs });
    points.push({ x: openNow, y: rssBytes });
    if (liveHeapBytes !== undefined) heapPoints.push({ x: openNow, y: liveHeapBytes });
    sustained = { streams: n, started: flowing, errors };
    await sleep(2000); // aborted turns are written; let that finish before the next level
  }
  return {
    idleBytes,
    levels,
    perStreamBytes: slope(points),
    ...(heapPoints.length > 1
      ? { liveHeapPerStreamBytes: slope(heapPoints), idleLiveHeapBytes: idleLive }
      : {}),
    sustained,
  };
}
