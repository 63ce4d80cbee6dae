// `npm run bench`: the streaming-overhead benchmark of BYOK Chat. Starts the mock upstream, a
// bare Node pipe and the production build (building it if needed; `next start`, or
// scripts/server.mjs with --workers), signs a user up through the UI, then runs the direct /
// bare pipe / Next.js floor / canonical / app arms interleaved at each concurrency point, the
// abort and memory phases and the page-weight check. Loopback only; stops by itself.
// Writes bench/results/bench-<time>.json and .md (git-ignored) and prints the table.

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureBuild, root } from "../scripts/lib/setup.mjs";
import { launchBrowser, signUpWithKey, startApp } from "./lib/app";
import { parseArgs } from "./lib/args";
import { ARMS, type ArmName, type ArmTargets, SERVER_ARMS } from "./lib/arms";
import { makeAgent } from "./lib/client";
import { memoryPhase } from "./lib/memory";
import { measurePages } from "./lib/page-weight";
import { type Agents, abortPhase, armStats, block, interleaved, type Pace } from "./lib/phases";
import { probeDir, resetProbeDir } from "./lib/probe-control";
import {
  cpuTimeMs,
  groupCpuMs,
  groupRss,
  killAllNow,
  startChild,
  stopAll,
  stopChild,
  waitForOutput,
} from "./lib/procs";
import { profileChatPath } from "./lib/profile";
import { printProbe } from "./lib/profile-print";
import { type BenchResult, type LatencyPoint, markdown } from "./lib/report";
import { runSoak } from "./lib/soak";
import { gitDescribe, log } from "./lib/util";

const args = parseArgs(process.argv.slice(2));
const APP_PORT = args.appPort;
const MOCK_PORT = args.mockPort;
const startedAt = new Date();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAllNow();
    process.exit(130);
  });
}
process.on("exit", killAllNow);

const pace: Pace = { ttftMs: args.ttftMs, tokenDelayMs: args.tokenDelayMs, tokens: args.tokens };
const result: BenchResult = {
  meta: {
    startedAt: startedAt.toISOString(),
    git: gitDescribe(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}`,
    loadavgStart: os.loadavg(),
    database: args.databaseUrl ? "postgresql" : "embedded (PGlite)",
    pace,
    args,
  },
  latency: [],
};

const cleanups: (() => Promise<void>)[] = [];
try {
  if (args.build) ensureBuild();

  log(
    `mock upstream on :${MOCK_PORT} (TTFT ${pace.ttftMs} ms, ${pace.tokens} tokens ${pace.tokenDelayMs} ms apart)`,
  );
  const mock = startChild("mock", process.execPath, [
    path.join(root, "bench/mock-process.mjs"),
    ...["--port", String(MOCK_PORT), "--ttft-ms", String(pace.ttftMs)],
    ...["--token-delay-ms", String(pace.tokenDelayMs), "--tokens", String(pace.tokens)],
  ]);
  const mockUrl = await waitForOutput(mock, /READY (\S+)/, 15_000);
  const pipe = startChild("pipe", process.execPath, [
    path.join(root, "bench/bare-pipe.mjs"),
    "--target",
    mockUrl,
  ]);
  const pipeUrl = await waitForOutput(pipe, /READY (\S+)/, 15_000);
  const outDir = path.resolve(root, args.out);
  const probe = probeDir(outDir);
  resetProbeDir(probe);

  // One server (next start), or with --workers one scripts/server.mjs per worker count in turn,
  // each on a fresh database. Memory, soak, profile and page weight run on a single `next start`
  // only: their per-process probes assume one server process.
  const servers: (number | undefined)[] = args.workers ?? [undefined];
  let baseline: LatencyPoint | undefined;
  for (const [index, workers] of servers.entries()) {
    const first = index === 0;
    const single = workers === undefined;
    log(
      single
        ? `app (next start) on :${APP_PORT}, ${result.meta.database}`
        : `app (scripts/server.mjs, WEB_CONCURRENCY=${workers}, REDIS_URL ${args.redisUrl}) on :${APP_PORT}, ${result.meta.database}`,
    );
    const app = await startApp({
      port: APP_PORT,
      mockUrl,
      databaseUrl: args.databaseUrl,
      // Inert until signalled (full GC for the memory phase, recordings for --profile).
      nodeOptions: `--require ${path.join(root, "bench/probe.cjs")}`,
      // The bench-only routes of the floor and canonical arms (404 without it).
      env: { BENCH_PROBE_DIR: probe, BYOK_BENCH_ROUTES: "1" },
      workers,
      redisUrl: single ? undefined : args.redisUrl,
    });
    cleanups.push(app.cleanup);
    const needSlow = single && ((first && args.memoryLevels.length > 0) || args.profile);

    const browser = await launchBrowser();
    const tag = randomBytes(4).toString("hex");
    // Hex only: the mock picks failure knobs from words in the key; "slow" is the one we want.
    const user = await signUpWithKey(
      browser,
      app.url,
      `bench-${tag}@example.test`,
      `sk-bench-${randomBytes(12).toString("hex")}`,
    );
    const slow = needSlow
      ? await signUpWithKey(
          browser,
          app.url,
          `bench-slow-${tag}@example.test`,
          `sk-bench-slow-${randomBytes(12).toString("hex")}`,
        )
      : undefined;
    if (args.pages && single && first) {
      log("page weight");
      result.pages = await measurePages(browser, app.url, await user.context.storageState(), root);
    }
    await browser.close();

    const targets: ArmTargets = {
      mockUrl,
      pipeUrl,
      appUrl: app.url,
      upstreamKey: `sk-bench-${randomBytes(12).toString("hex")}`,
      cookie: user.cookie,
    };
    const agents = Object.fromEntries(ARMS.map((a) => [a, makeAgent()])) as Agents;

    log("warm-up");
    for (const arm of args.arms) {
      // First requests load route code and JIT-compile it; none of this is measured.
      for (let i = 0; i < 3; i++) await block(arm, 1, 1, targets, agents, pace);
      await block(arm, 20, 1, targets, agents, pace);
    }

    // Memory first, on a server that has only been warmed up: later phases grow the heap, and
    // streams opened then would reuse that space instead of showing what they cost.
    if (slow && first && args.arms.includes("app") && args.memoryLevels.length) {
      log(`memory: ${args.memoryLevels.join(", ")} open app streams`);
      result.memory = await memoryPhase({
        levels: args.memoryLevels,
        appUrl: app.url,
        slowCookie: slow.cookie,
        agent: makeAgent(),
        server: app.child,
        probeDir: probe,
      });
    }

    // Every process of the server's group: next start's parent, or the cluster's primary and
    // its workers, each with its threads (the embedded database's included).
    const serverCpu = () => groupCpuMs(app.child);
    const cpuOf: Partial<Record<ArmName, () => number>> = {
      pipe: () => cpuTimeMs(pipe.pid),
      ...Object.fromEntries(SERVER_ARMS.map((a) => [a, serverCpu])),
    };
    for (const c of args.concurrency) {
      // Above c=100 one block already holds hundreds of streams: half the rounds keep the run short.
      const rounds =
        c === 1 ? args.c1Rounds : c > 100 ? Math.max(1, Math.ceil(args.rounds / 2)) : args.rounds;
      const perClient = c === 1 ? 1 : args.perClient;
      log(
        `latency at c=${c}${single ? "" : `, ${workers} worker(s)`}: ${rounds} round(s) × ${args.arms.join(", ")}`,
      );
      const { results, cpuMsPerStream } = await interleaved({
        arms: args.arms,
        concurrency: c,
        rounds,
        perClient,
        targets,
        agents,
        pace,
        settleMs: c === 1 ? 150 : 500,
        cpuOf,
      });
      const point: LatencyPoint = { concurrency: c, ...(single ? {} : { workers }), arms: {} };
      for (const arm of args.arms) point.arms[arm] = armStats(results[arm], cpuMsPerStream[arm]);
      baseline ??= point;
      const d = point.arms.direct;
      const b = baseline.arms.direct;
      if (point !== baseline && d && b && (d.ttft.p50 > 2 * b.ttft.p50 || d.gap.p95 > 2 * b.gap.p95)) {
        point.dropped = `the direct arm itself degraded past 2× its c=${baseline.concurrency} figure (TTFT p50 ${d.ttft.p50.toFixed(1)} vs ${b.ttft.p50.toFixed(1)} ms, gap p95 ${d.gap.p95.toFixed(1)} vs ${b.gap.p95.toFixed(1)} ms): this machine, not the app, is the limit here`;
      }
      result.latency.push(point);
    }

    if (first && args.abortTrials > 0) {
      log(`client abort → upstream abort, ${args.abortTrials} trials per arm`);
      await sleep(1000);
      result.abort = await abortPhase({ arms: args.arms, trials: args.abortTrials, targets, agents, pace });
    }

    if (single && first && args.soakMinutes > 0) {
      log(`soak: app arm at c=${args.soakConcurrency} for ${args.soakMinutes} min`);
      result.soak = await runSoak({
        minutes: args.soakMinutes,
        concurrency: args.soakConcurrency,
        targets,
        agents,
        pace,
        server: app.child,
        probeDir: probe,
      });
    }

    if (slow && first && args.profile) {
      log(`profile: ${args.profileRequests} app turns at c=1 under the CPU profiler`);
      result.profile = await profileChatPath({
        requests: args.profileRequests,
        targets,
        agents,
        pace,
        server: app.child,
        probeDir: probe,
        root,
        slowCookie: slow.cookie,
      });
    }
    if (first) result.meta.serverRssEndBytes = groupRss(app.child);
    await stopChild(app.child);
    await cleanups.pop()?.();
  }

  result.meta.loadavgEnd = os.loadavg();
  result.meta.durationSec = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const table = markdown(result);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  writeFileSync(path.join(outDir, `bench-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(outDir, `bench-${stamp}.md`), `${table}\n`);
  writeFileSync(path.join(outDir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(outDir, "latest.md"), `${table}\n`);
  if (args.profile) printProbe(probe, root);
  console.log(
    `\n${table}\n\n(${result.meta.durationSec} s; written to ${path.relative(root, outDir)}/bench-${stamp}.{json,md})`,
  );
} catch (e) {
  console.error(`\n✗ bench failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  for (const cleanup of cleanups) await cleanup();
}
