import type { ArmName } from "./arms";
import type { MemoryResult } from "./memory";
import type { PageWeight } from "./page-weight";
import type { ArmStats } from "./phases";
import type { Summary } from "./stats";

// The JSON written to bench/results/ and the markdown table printed at the end of a run.

export type LatencyPoint = {
  concurrency: number;
  /** scripts/server.mjs's WEB_CONCURRENCY (--workers); absent: one `next start` process. */
  workers?: number;
  dropped?: string;
  arms: Partial<Record<ArmName, ArmStats>>;
};

export type BenchResult = {
  meta: Record<string, unknown>;
  latency: LatencyPoint[];
  abort?: Partial<Record<ArmName, { latencyMs: Summary; missed: number }>>;
  memory?: MemoryResult;
  pages?: { browser: PageWeight[]; build?: PageWeight[]; budget: Record<string, number> };
  soak?: Record<string, unknown>;
  profile?: Record<string, unknown>;
};

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(2));
const triple = (a: number, b: number, c: number) => `${ms(a)} / ${ms(b)} / ${ms(c)}`;
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function addedCell(point: LatencyPoint, arm: ArmName, what: "ttft" | "gap"): string {
  const base = point.arms.direct?.[what];
  const s = point.arms[arm]?.[what];
  if (point.dropped) return "dropped";
  if (!base || !s || s.n === 0) return "–";
  return triple(s.p50 - base.p50, s.p95 - base.p95, s.p99 - base.p99);
}

export function markdown(r: BenchResult): string {
  const pts = r.latency;
  const label = (p: LatencyPoint) =>
    `c=${p.concurrency}${p.workers ? `, ${p.workers} worker${p.workers > 1 ? "s" : ""}` : ""}`;
  const head = `| ms, p50 / p95 / p99 | ${pts.map(label).join(" | ")} |`;
  const sep = `|---|${pts.map(() => "---").join("|")}|`;
  const row = (name: string, f: (p: LatencyPoint) => string) => `| ${name} | ${pts.map(f).join(" | ")} |`;
  const lines = [head, sep];
  const arms = Object.keys(pts[0]?.arms ?? {}) as ArmName[];
  // Ours first, then what it is compared with, from the most work to the least.
  const order: ArmName[] = ["app", "canonical", "floor", "pipe"];
  const names: Record<ArmName, string> = {
    app: "**app**",
    canonical: "canonical (AI SDK docs' route)",
    floor: "Next.js floor",
    pipe: "bare pipe",
    direct: "direct",
  };
  for (const arm of order.filter((a) => arms.includes(a))) {
    lines.push(row(`${names[arm]} added TTFT`, (p) => addedCell(p, arm, "ttft")));
    lines.push(row(`${names[arm]} added inter-frame gap`, (p) => addedCell(p, arm, "gap")));
  }
  lines.push(
    row("direct TTFT (baseline)", (p) =>
      p.arms.direct ? triple(p.arms.direct.ttft.p50, p.arms.direct.ttft.p95, p.arms.direct.ttft.p99) : "–",
    ),
  );
  lines.push(
    row("direct inter-frame gap (baseline)", (p) =>
      p.arms.direct ? triple(p.arms.direct.gap.p50, p.arms.direct.gap.p95, p.arms.direct.gap.p99) : "–",
    ),
  );
  lines.push(
    row(
      `server CPU per stream, ms (${order
        .filter((a) => arms.includes(a))
        .map((a) => names[a].replace(/\*|\s*\(.*\)/g, ""))
        .join(" / ")})`,
      (p) =>
        order
          .filter((a) => arms.includes(a))
          .map((a) => p.arms[a]?.cpuMsPerStream)
          .map((v) => (v === undefined ? "–" : v.toFixed(1)))
          .join(" / "),
    ),
  );
  lines.push(
    row("streams measured (errors), per arm", (p) =>
      arms.map((a) => `${a} ${p.arms[a]?.ttft.n ?? 0} (${p.arms[a]?.errors ?? 0})`).join(", "),
    ),
  );
  const notes = pts.filter((p) => p.dropped).map((p) => `- c=${p.concurrency} dropped: ${p.dropped}`);
  const out = [lines.join("\n"), ...(notes.length ? ["", ...notes] : [])];

  const facts: string[] = [];
  if (r.memory) {
    const m = r.memory;
    facts.push(
      `| streams sustained (app, open at once) | ${m.sustained.started}/${m.sustained.streams} flowing, ${m.sustained.errors} errors |`,
      `| server RSS idle (after warm-up) | ${(m.idleBytes / 1e6).toFixed(1)} MB${typeof r.meta.serverRssEndBytes === "number" ? `; ${(r.meta.serverRssEndBytes / 1e6).toFixed(0)} MB at the end of the run` : ""} |`,
      `| server RSS per open stream | ${(m.perStreamBytes / 1000).toFixed(0)} KB (slope over ${m.levels.map((l) => l.streams).join("/")} streams: ${m.levels.map((l) => `${(l.rssBytes / 1e6).toFixed(0)} MB`).join(", ")}) |`,
      ...(m.liveHeapPerStreamBytes !== undefined
        ? [
            `| live JS heap per open stream (after full GC) | ${(m.liveHeapPerStreamBytes / 1000).toFixed(0)} KB (idle ${((m.idleLiveHeapBytes ?? 0) / 1e6).toFixed(0)} MB) |`,
          ]
        : []),
    );
  }
  if (r.abort) {
    for (const [arm, a] of Object.entries(r.abort)) {
      facts.push(
        `| client abort → upstream abort, ${arm} | p50 ${ms(a.latencyMs.p50)} / p95 ${ms(a.latencyMs.p95)} / max ${ms(a.latencyMs.max)} ms (n=${a.latencyMs.n}${a.missed ? `, ${a.missed} never reached upstream` : ""}) |`,
      );
    }
  }
  if (r.soak) {
    const k = r.soak as {
      minutes: number;
      concurrency: number;
      streams: number;
      errors: number;
      ttftFirstHalf: Summary;
      ttftSecondHalf: Summary;
      rssStartBytes?: number;
      rssEndBytes?: number;
      rssMaxBytes?: number;
      liveBeforeBytes?: number;
      liveAfterBytes?: number;
    };
    const mb = (b?: number) => (b === undefined ? "–" : `${(b / 1e6).toFixed(0)} MB`);
    const mb1 = (b?: number) => (b === undefined ? "–" : `${(b / 1e6).toFixed(1)} MB`);
    facts.push(
      `| soak, app at c=${k.concurrency} for ${k.minutes} min | ${k.streams} streams, ${k.errors} errors; TTFT p50 ${ms(k.ttftFirstHalf.p50)} → ${ms(k.ttftSecondHalf.p50)} ms (first → second half); RSS ${mb(k.rssStartBytes)} → ${mb(k.rssEndBytes)} (max ${mb(k.rssMaxBytes)}); live heap after GC, idle, ${mb1(k.liveBeforeBytes)} before → ${mb1(k.liveAfterBytes)} after |`,
    );
  }
  if (facts.length) out.push("", "| | |", "|---|---|", ...facts);

  if (r.pages) {
    const build = new Map((r.pages.build ?? []).map((p) => [p.route, p]));
    out.push(
      "",
      "| First Load JS (gzip) | browser | build stats | budget |",
      "|---|---|---|---|",
      ...r.pages.browser.map((p) => {
        const b = build.get(p.route);
        const budget = r.pages?.budget[p.route];
        const verdict = budget === undefined ? "" : p.gzipBytes <= budget ? " ✓" : " ✗ over";
        return `| ${p.route} | ${kB(p.gzipBytes)} (${p.files} files) | ${b ? kB(b.gzipBytes) : "–"} | ${budget ? kB(budget) : "–"}${verdict} |`;
      }),
    );
  }
  return out.join("\n");
}
