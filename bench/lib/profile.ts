import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ArmTargets, requestFor } from "./arms";
import { runStream } from "./client";
import { type Agents, block, type Pace } from "./phases";
import { type Child, serverPid } from "./procs";
import { type CpuProfile, cpuBreakdown } from "./profile-analyze";
import { round, summarize } from "./stats";

// Where the chat path spends its time, measured inside the real server: bench/probe.cjs (loaded
// with --profile) records a V8 CPU profile and a per-turn timeline while this phase runs turns.

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

export const probeDir = (outDir: string) => path.join(outDir, "profile");

async function record(pid: number, dir: string, n: number, work: () => Promise<unknown>) {
  process.kill(pid, "SIGUSR2");
  await sleep(300);
  const t0 = performance.now();
  await work();
  await sleep(1000); // background work of the last turn (persistence, title) belongs to it
  const wallMs = performance.now() - t0;
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 100 && !existsSync(path.join(dir, `probe-${n}.done`)); i++) await sleep(100);
  const profile = JSON.parse(readFileSync(path.join(dir, `probe-${n}.cpuprofile`), "utf8")) as CpuProfile;
  const timeline = JSON.parse(readFileSync(path.join(dir, `probe-${n}.json`), "utf8")) as { turns: Turn[] };
  return { profile, turns: timeline.turns, wallMs };
}

const p = (values: number[]) => {
  const s = summarize(values.filter((v) => Number.isFinite(v)));
  return { p50: round(s.p50, 3), p95: round(s.p95, 3), n: s.n };
};

export async function profileChatPath(opts: {
  requests: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
  server: Child;
  outDir: string;
  root: string;
}): Promise<Record<string, unknown>> {
  const dir = probeDir(opts.outDir);
  mkdirSync(dir, { recursive: true });
  const pid = serverPid(opts.server);

  // c=1: one turn at a time, with a pause so each turn's background writes stay its own.
  const c1 = await record(pid, dir, 0, async () => {
    for (let i = 0; i < opts.requests; i++) {
      await runStream(opts.agents.app, requestFor("app", opts.targets), { expectTokens: opts.pace.tokens });
      await sleep(60);
    }
  });
  const turns = c1.turns.filter((t) => t.upstream !== undefined && t.firstToken !== undefined);
  const timeline = {
    turns: turns.length,
    requestToUpstreamMs: p(turns.map((t) => (t.upstream as number) - t.start)),
    databaseBeforeUpstreamMs: p(turns.map((t) => t.dbBeforeUpstream?.ms ?? Number.NaN)),
    databaseCallsBeforeUpstream: p(turns.map((t) => t.dbBeforeUpstream?.calls ?? Number.NaN)),
    upstreamCreateToHeadersMs: p(turns.map((t) => (t.upstreamHeaders as number) - (t.upstream as number))),
    upstreamHeadersToFirstTokenWrittenMs: p(turns.map((t) => (t.firstToken as number) - (t.upstreamHeaders as number))),
    requestToFirstTokenWrittenMs: p(turns.map((t) => (t.firstToken as number) - t.start)),
    databaseMsPerTurn: p(turns.map((t) => t.db.ms)),
    databaseCallsPerTurn: p(turns.map((t) => t.db.calls)),
  };
  const c1Cpu = cpuBreakdown(c1.profile, { units: opts.requests, root: opts.root });

  // c=50: where the CPU goes when many streams flow at once (per stream and per frame).
  const streams = 50 * 2;
  const c50 = await record(pid, dir, 1, () => block("app", 50, 3, opts.targets, opts.agents, opts.pace));
  const c50Cpu = cpuBreakdown(c50.profile, { units: 50 * 3, root: opts.root });
  return {
    files: path.relative(opts.root, dir),
    c1: { wallMs: round(c1.wallMs, 0), timeline, cpu: c1Cpu },
    c50: { wallMs: round(c50.wallMs, 0), streams: 50 * 3, countedStreams: streams, framesPerStream: opts.pace.tokens, cpu: c50Cpu },
  };
}
