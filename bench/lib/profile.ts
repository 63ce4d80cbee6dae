import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ArmTargets, requestFor } from "./arms";
import { makeAgent, runStream } from "./client";
import { openSlowStreams } from "./memory";
import { type Agents, block, type Pace } from "./phases";
import { askRecording, startHeapSampling, stopHeapSampling, stopRecording } from "./probe-control";
import { type Child, cpuTimeMs, serverPid } from "./procs";
import { type CpuProfile, cpuBreakdown, type HeapProfile, heapBreakdown } from "./profile-analyze";
import { round, summarize } from "./stats";

// Where the chat path spends its time, measured inside the real server: bench/probe.cjs (loaded
// with --profile) records a V8 CPU profile and a per-turn timeline while this phase runs turns.
// Recordings stay in bench/results/probe/ (open the .cpuprofile in Chrome DevTools).

type Turn = {
  start: number;
  upstream?: number;
  upstreamHeaders?: number;
  firstWrite?: number;
  firstToken?: number;
  end?: number;
  db: { ms: number; calls: number };
  dbBeforeUpstream?: { ms: number; calls: number };
};

export type Recording = { profile?: CpuProfile; turns: Turn[]; cpuMs?: number; wallMs?: number };

export function readRecording(dir: string, n: number): Recording {
  const file = path.join(dir, `probe-${n}.cpuprofile`);
  const profile = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as CpuProfile) : undefined;
  const { turns } = JSON.parse(readFileSync(path.join(dir, `probe-${n}.json`), "utf8")) as { turns: Turn[] };
  return { profile, turns };
}

async function record(
  pid: number,
  dir: string,
  n: number,
  cpuProfile: boolean,
  work: () => Promise<unknown>,
): Promise<Recording> {
  askRecording(pid, dir, cpuProfile);
  await sleep(300);
  const cpu0 = cpuTimeMs(pid);
  const t0 = performance.now();
  await work();
  await sleep(1000); // background work of the last turn (persistence, title) belongs to it
  const cpuMs = cpuTimeMs(pid) - cpu0;
  const wallMs = performance.now() - t0;
  stopRecording(pid);
  for (let i = 0; i < 100 && !existsSync(path.join(dir, `probe-${n}.done`)); i++) await sleep(100);
  return { ...readRecording(dir, n), cpuMs, wallMs };
}

const p = (values: number[]) => {
  const s = summarize(values.filter((v) => Number.isFinite(v)));
  return { p50: round(s.p50, 2), p95: round(s.p95, 2), n: s.n };
};

/** Turns at c=1: the timeline and the CPU profile cut at each turn's phases. */
export function turnTimeline(rec: Recording) {
  const turns = rec.turns.filter((t) => t.upstream !== undefined && t.firstToken !== undefined);
  const span = (t: Turn, a: keyof Turn, b: keyof Turn) => (t[b] as number) - (t[a] as number);
  return {
    turns: turns.length,
    ...(rec.cpuMs !== undefined
      ? { serverCpuMsPerTurn: round(rec.cpuMs / Math.max(1, rec.turns.length), 1) }
      : {}),
    timelineMs: {
      requestToUpstreamCall: p(turns.map((t) => span(t, "start", "upstream"))),
      databaseBeforeUpstreamCall: p(turns.map((t) => t.dbBeforeUpstream?.ms ?? Number.NaN)),
      databaseCallsBeforeUpstreamCall: p(turns.map((t) => t.dbBeforeUpstream?.calls ?? Number.NaN)),
      upstreamCallToUpstreamHeaders: p(turns.map((t) => span(t, "upstream", "upstreamHeaders"))),
      upstreamHeadersToFirstTokenWritten: p(turns.map((t) => span(t, "upstreamHeaders", "firstToken"))),
      requestToFirstTokenWritten: p(turns.map((t) => span(t, "start", "firstToken"))),
      databasePerTurn: p(turns.map((t) => t.db.ms)),
      databaseCallsPerTurn: p(turns.map((t) => t.db.calls)),
    },
  };
}

/** The CPU profile of turns at c=1, cut at each turn's phases. */
export function turnProfile(rec: Recording, root: string) {
  const turns = rec.turns.filter((t) => t.upstream !== undefined && t.firstToken !== undefined);
  if (!rec.profile) return undefined;
  return {
    // Request arrival → upstream request created: the part of the added TTFT that is ours alone.
    beforeUpstreamCall: cpuBreakdown(rec.profile, {
      units: turns.length,
      root,
      windows: turns.map((t) => ({ fromMs: t.start, toMs: t.upstream as number })),
    }),
    // Upstream headers → first token written: holds the mock's own TTFT (idle) plus parsing.
    upstreamHeadersToFirstToken: cpuBreakdown(rec.profile, {
      units: turns.length,
      root,
      windows: turns.map((t) => ({ fromMs: t.upstreamHeaders as number, toMs: t.firstToken as number })),
    }),
    wholeTurn: cpuBreakdown(rec.profile, { units: turns.length, root }),
  };
}

export async function profileChatPath(opts: {
  requests: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
  server: Child;
  probeDir: string;
  root: string;
  slowCookie: string;
}): Promise<Record<string, unknown>> {
  const dir = opts.probeDir;
  const pid = serverPid(opts.server);

  // c=1: one turn at a time, with a pause so each turn's background writes stay its own. First
  // the timeline alone (no profiler overhead), then again under the CPU profiler.
  const turns = async () => {
    for (let i = 0; i < opts.requests; i++) {
      await runStream(opts.agents.app, requestFor("app", opts.targets), { expectTokens: opts.pace.tokens });
      await sleep(60);
    }
  };
  const plain = await record(pid, dir, 0, false, turns);
  const profiled = await record(pid, dir, 1, true, turns);
  // c=50: where the CPU goes when many streams flow at once, per stream.
  const c50 = await record(pid, dir, 2, true, () =>
    block("app", 50, 3, opts.targets, opts.agents, opts.pace),
  );
  // Memory: objects still alive (after a full GC) that were allocated while 100 streams opened.
  const heldStreams = 100;
  await startHeapSampling(pid, dir, "streams");
  const open = await openSlowStreams(heldStreams, opts.targets.appUrl, opts.slowCookie, makeAgent());
  const heap = (await stopHeapSampling(pid, dir, "streams")) as HeapProfile | undefined;
  const openAtSample = open.openNow();
  await open.close();
  return {
    files: path.relative(opts.root, dir),
    heapPerOpenStream: heap
      ? {
          openStreams: openAtSample,
          ...heapBreakdown(heap, { units: Math.max(1, openAtSample), root: opts.root }),
        }
      : undefined,
    c1: turnTimeline(plain),
    c1Profile: turnProfile(profiled, opts.root),
    c50: {
      streams: 150,
      serverCpuMsPerStream: round((c50.cpuMs ?? Number.NaN) / 150, 1),
      perStream: c50.profile ? cpuBreakdown(c50.profile, { units: 150, root: opts.root }) : undefined,
    },
  };
}
