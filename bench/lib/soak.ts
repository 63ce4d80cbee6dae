import { setTimeout as sleep } from "node:timers/promises";
import type { ArmTargets } from "./arms";
import { requestFor } from "./arms";
import { gapsOf, runStream, type StreamResult, ttftOf } from "./client";
import type { Agents, Pace } from "./phases";
import { memoryAfterGc } from "./probe-control";
import { type Child, groupRss, serverPid } from "./procs";
import { summarize } from "./stats";

// A long run of the app arm alone: does latency drift, does memory keep growing, do errors
// appear. RSS is sampled every 5 s. Ends at the deadline; streams in flight then finish.

export async function runSoak(opts: {
  minutes: number;
  concurrency: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
  server: Child;
  /** With the probe: live heap after a full GC, idle, before and after the soak. */
  probeDir?: string;
}): Promise<Record<string, unknown>> {
  const liveIdle = async (tag: string) => {
    if (!opts.probeDir) return undefined;
    const m = await memoryAfterGc(serverPid(opts.server), opts.probeDir, tag);
    return m ? m.heapUsed + m.external : undefined;
  };
  const liveBeforeBytes = await liveIdle("soak-before");
  const deadline = Date.now() + opts.minutes * 60_000;
  const results: StreamResult[] = [];
  const rss: { atSec: number; bytes: number }[] = [];
  const t0 = Date.now();
  const sampler = (async () => {
    while (Date.now() < deadline) {
      rss.push({ atSec: Math.round((Date.now() - t0) / 1000), bytes: groupRss(opts.server) });
      await sleep(5000);
    }
  })();
  const period = opts.pace.ttftMs + (opts.pace.tokens - 1) * opts.pace.tokenDelayMs;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, i) => {
      await sleep((i * period) / opts.concurrency);
      while (Date.now() < deadline) {
        results.push(
          await runStream(opts.agents.app, requestFor("app", opts.targets), {
            expectTokens: opts.pace.tokens,
          }),
        );
      }
    }),
  );
  await sampler;
  await sleep(2000); // the last turns' writes and titles settle
  const liveAfterBytes = await liveIdle("soak-after");
  const ok = results.filter((r) => r.ok);
  const firstHalf = ok.filter((r) => r.start - (ok[0]?.start ?? 0) < (opts.minutes * 60_000) / 2);
  const secondHalf = ok.slice(firstHalf.length);
  return {
    minutes: opts.minutes,
    concurrency: opts.concurrency,
    streams: results.length,
    errors: results.length - ok.length,
    firstError: results.find((r) => !r.ok)?.error,
    ttftFirstHalf: summarize(firstHalf.map(ttftOf)),
    ttftSecondHalf: summarize(secondHalf.map(ttftOf)),
    gap: summarize(ok.flatMap(gapsOf)),
    rssStartBytes: rss[0]?.bytes,
    rssEndBytes: rss.at(-1)?.bytes,
    rssMaxBytes: Math.max(...rss.map((s) => s.bytes)),
    liveBeforeBytes,
    liveAfterBytes,
    rss,
  };
}
