import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readRecording, turnProfile, turnTimeline } from "./profile";
import { type CpuProfile, cpuBreakdown, type HeapProfile, heapBreakdown } from "./profile-analyze";

// Prints what `--profile` recorded in the probe directory: where a turn's time goes.

type Breakdown = ReturnType<typeof cpuBreakdown>;

function show(title: string, b: Breakdown | undefined, top = 12) {
  if (!b) return;
  console.log(`\n${title}: busy ${b.busyMsPerUnit} ms per unit (${b.busyPct}% of ${b.wallMs} ms sampled)`);
  for (const c of b.components) console.log(`  ${c.msPerUnit.toFixed(3).padStart(8)} ms  ${c.name}`);
  console.log("  top functions (self time):");
  for (const f of b.topFunctions.slice(0, top))
    console.log(`  ${f.msPerUnit.toFixed(3).padStart(8)} ms  ${f.fn}`);
}

export function printProbe(dir: string, root: string, heapUnits = 100): void {
  if (existsSync(path.join(dir, "probe-0.json"))) {
    const plain = turnTimeline(readRecording(dir, 0));
    console.log(`c=1, ${plain.turns} turns without the profiler; timeline (ms):`);
    for (const [k, v] of Object.entries(plain.timelineMs)) {
      console.log(`  ${k.padEnd(36)} p50 ${v.p50}  p95 ${v.p95}`);
    }
  }
  if (existsSync(path.join(dir, "probe-1.cpuprofile"))) {
    const prof = turnProfile(readRecording(dir, 1), root);
    show("c=1 request → upstream call, per turn", prof?.beforeUpstreamCall);
    show("c=1 upstream headers → first token written, per turn", prof?.upstreamHeadersToFirstToken, 8);
    show("c=1 whole turn, per turn", prof?.wholeTurn, 10);
  }
  const c50 = path.join(dir, "probe-2.cpuprofile");
  if (existsSync(c50)) {
    const profile = JSON.parse(readFileSync(c50, "utf8")) as CpuProfile;
    show("c=50, per stream", cpuBreakdown(profile, { units: 150, root }), 15);
  }
  const heapFile = path.join(dir, "heap-streams.json");
  if (existsSync(heapFile)) {
    const heap = heapBreakdown(JSON.parse(readFileSync(heapFile, "utf8")) as HeapProfile, {
      units: heapUnits,
      root,
    });
    console.log(`\nlive heap per open stream (${heapUnits} open, after full GC): ${heap.liveKbPerUnit} KB`);
    for (const c of heap.components) console.log(`  ${c.kbPerUnit.toFixed(1).padStart(8)} KB  ${c.name}`);
    console.log("  top allocation sites:");
    for (const f of heap.topAllocationSites.slice(0, 10))
      console.log(`  ${f.kbPerUnit.toFixed(1).padStart(8)} KB  ${f.fn}`);
  }
}
