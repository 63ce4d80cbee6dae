import { setTimeout as sleep } from "node:timers/promises";
import type { Agent } from "undici";
import { type ArmName, type ArmTargets, requestFor } from "./arms";
import { gapsOf, runStream, type StreamResult, ttftOf } from "./client";
import { type Summary, summarize } from "./stats";

// The measuring phases. Every loop is bounded by a count or a deadline.

export type Agents = Record<ArmName, Agent>;
export type Pace = { ttftMs: number; tokenDelayMs: number; tokens: number };

export type ArmStats = {
  streams: number;
  errors: number;
  firstError?: string;
  ttft: Summary;
  gap: Summary;
  /** CPU time of the processes in the middle (app server, bare pipe) per stream, all threads. */
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
  /** CPU time so far (ms) of what sits in the middle of an arm, counted per stream. */
  cpuOf?: Partial<Record<ArmName, () => number>>;
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
      const cpuNow = opts.cpuOf?.[arm];
      const cpu0 = cpuNow ? cpuNow() : 0;
      results[arm].push(
        ...(await block(arm, opts.concurrency, opts.perClient, opts.targets, opts.agents, opts.pace)),
      );
      await sleep(opts.settleMs); // the arm's background work (persistence, titles) is its own
      if (cpuNow) cpuMs[arm] = (cpuMs[arm] ?? 0) + cpuNow() - cpu0;
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
