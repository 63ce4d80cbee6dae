import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent } from "undici";
import { type ArmName, type ArmTargets, appRequest, requestFor } from "./arms";
import { gapsOf, runStream, type StreamResult, ttftOf } from "./client";
import { type Child, cpuTimeMs, groupRss } from "./procs";
import { median, type Summary, slope, summarize } from "./stats";

// The measuring phases. Every loop is bounded by a count or a deadline.

export type Agents = Record<ArmName, Agent>;
export type Pace = { ttftMs: number; tokenDelayMs: number; tokens: number };

export type ArmStats = {
  streams: number;
  errors: number;
  firstError?: string;
  ttft: Summary;
  gap: Summary;
  /** CPU time of the process in the middle (app server, bare pipe) per stream, all threads. */
  cpuMsPerStream?: number;
};

export function armStats(results: StreamResult[], cpuMsPerStream?: number): ArmStats {
  const ok = results.filter((r) => r.ok);
  const bad = results.filter((r) => !r.ok);
  return {
    streams: results.length,
    errors: bad.length,
    ...(cpuMsPerStream !== undefined ? { cpuMsPerStream: Number(cpuMsPerStream.toFixed(2)) } : {}),
    ...(bad[0]?.error ? { firstError: bad[0].error } : {}),
    ttft: summarize(ok.map(ttftOf)),
    gap: summarize(ok.flatMap(gapsOf)),
  };
}

const streamMs = (p: Pace) => p.ttftMs + (p.tokens - 1) * p.tokenDelayMs;

/**
 * `concurrency` clients of one arm, each running `perClient` streams back to back, their starts
 * spread over one stream's duration so arrivals are steady rather than one burst. Each client's
 * first stream (the ramp-up, at lower concurrency) is run but not returned when perClient > 1.
 */
export async function block(
  arm: ArmName,
  concurrency: number,
  perClient: number,
  t: ArmTargets,
  agents: Agents,
  pace: Pace,
): Promise<StreamResult[]> {
  const out: StreamResult[] = [];
  const stagger = concurrency > 1 ? streamMs(pace) / concurrency : 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      await sleep(i * stagger);
      for (let k = 0; k < perClient; k++) {
        const r = await runStream(agents[arm], requestFor(arm, t), { expectTokens: pace.tokens });
        if (perClient === 1 || k > 0) out.push(r);
      }
    }),
  );
  return out;
}

/** Arms take turns block by block, in a rotating order, so drift in the machine hits all alike. */
export async function interleaved(opts: {
  arms: readonly ArmName[];
  concurrency: number;
  rounds: number;
  perClient: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
  settleMs: number;
  /** Process in the middle of an arm, whose CPU time is counted per stream. */
  cpuPids?: Partial<Record<ArmName, number>>;
}): Promise<{ results: Record<ArmName, StreamResult[]>; cpuMsPerStream: Partial<Record<ArmName, number>> }> {
  const results = Object.fromEntries(opts.arms.map((a) => [a, [] as StreamResult[]])) as Record<
    ArmName,
    StreamResult[]
  >;
  const cpuMs: Partial<Record<ArmName, number>> = {};
  const run: Partial<Record<ArmName, number>> = {};
  for (let r = 0; r < opts.rounds; r++) {
    for (let i = 0; i < opts.arms.length; i++) {
      const arm = opts.arms[(r + i) % opts.arms.length] as ArmName;
      const pid = opts.cpuPids?.[arm];
      const cpu0 = pid ? cpuTimeMs(pid) : 0;
      results[arm].push(
        ...(await block(arm, opts.concurrency, opts.perClient, opts.targets, opts.agents, opts.pace)),
      );
      await sleep(opts.settleMs); // the arm's background work (persistence, titles) is its own
      if (pid) cpuMs[arm] = (cpuMs[arm] ?? 0) + cpuTimeMs(pid) - cpu0;
      run[arm] = (run[arm] ?? 0) + opts.concurrency * opts.perClient;
    }
  }
  const cpuMsPerStream = Object.fromEntries(
    Object.entries(cpuMs).map(([arm, ms]) => [arm, ms / (run[arm as ArmName] ?? 1)]),
  ) as Partial<Record<ArmName, number>>;
  return { results, cpuMsPerStream };
}

type MockEntry = { id: number; stream: boolean; aborted: boolean; abortedAt: number | null; kind: string };

async function mockRequests(mockUrl: string): Promise<MockEntry[]> {
  const res = await fetch(`${mockUrl}/__mock/requests`);
  return ((await res.json()) as { requests: MockEntry[] }).requests;
}

/**
 * Client abort → upstream abort: the client drops the connection after a few tokens and the
 * mock's request log says when its side of the upstream connection closed (epoch ms, both
 * clocks are this machine's).
 */
export async function abortPhase(opts: {
  arms: readonly ArmName[];
  trials: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
}): Promise<Record<ArmName, { latencyMs: Summary; missed: number }>> {
  const samples = Object.fromEntries(opts.arms.map((a) => [a, [] as number[]])) as Record<ArmName, number[]>;
  const missed = Object.fromEntries(opts.arms.map((a) => [a, 0])) as Record<ArmName, number>;
  for (let i = 0; i < opts.trials; i++) {
    for (const arm of opts.arms) {
      await fetch(`${opts.targets.mockUrl}/__mock/reset`, { method: "POST" });
      const r = await runStream(opts.agents[arm], requestFor(arm, opts.targets), { abortAfterTokens: 5 });
      let latency: number | undefined;
      for (let poll = 0; poll < 60 && latency === undefined && r.abortedAtEpochMs; poll++) {
        const entry = (await mockRequests(opts.targets.mockUrl))
          .filter((e) => e.stream && e.kind === "generate")
          .at(-1);
        if (entry?.aborted && entry.abortedAt) latency = entry.abortedAt - r.abortedAtEpochMs;
        else await sleep(50);
      }
      if (latency === undefined) missed[arm]++;
      else samples[arm].push(Math.max(0, latency));
      await sleep(100);
    }
  }
  return Object.fromEntries(
    opts.arms.map((a) => [a, { latencyMs: summarize(samples[a]), missed: missed[a] }]),
  ) as Record<ArmName, { latencyMs: Summary; missed: number }>;
}

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
  levels: { streams: number; started: number; rssBytes: number; openMs: number }[];
  perStreamBytes: number;
  sustained: { streams: number; started: number; errors: number };
};

/**
 * Opens `levels` of long-lived app streams (a user whose key makes the mock slow: one token
 * every 250 ms), samples the server's RSS while all are open, then drops them. RSS per stream
 * is the least-squares slope of RSS over the number of open streams, idle included.
 */
export async function memoryPhase(opts: {
  levels: number[];
  appUrl: string;
  slowCookie: string;
  agent: Agent;
  server: Child;
}): Promise<MemoryResult> {
  await sleep(1500);
  const idleBytes = await sampleRss(opts.server);
  const points = [{ x: 0, y: idleBytes }];
  const levels: MemoryResult["levels"] = [];
  let sustained = { streams: 0, started: 0, errors: 0 };
  for (const n of opts.levels) {
    const ac = new AbortController();
    setMaxListeners(0, ac.signal); // one signal ends every stream of the level
    let flowing = 0;
    const t0 = performance.now();
    const runs = Array.from({ length: n }, () =>
      runStream(opts.agent, appRequest(opts.appUrl, opts.slowCookie), {
        signal: ac.signal,
        onToken: (count) => {
          if (count === 2) flowing++;
        },
      }),
    );
    let settled = 0;
    for (const p of runs) void p.then(() => settled++);
    // Bounded wait until every stream has streamed two tokens (or has ended: an error).
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && flowing + settled < n) await sleep(50);
    const openMs = performance.now() - t0;
    const rssBytes = await sampleRss(opts.server);
    const openNow = flowing - settled;
    ac.abort();
    const results = await Promise.all(runs);
    const errors = results.filter((r) => !r.ok).length;
    levels.push({ streams: n, started: flowing, rssBytes, openMs });
    points.push({ x: Math.max(0, openNow), y: rssBytes });
    sustained = { streams: n, started: flowing, errors };
    await sleep(2000); // aborted turns are written; let that finish before the next level
  }
  return { idleBytes, levels, perStreamBytes: slope(points), sustained };
}
