// Re-reads the recordings of `npm run bench -- --profile` and prints where the chat path spends
// its time. Usage: npx tsx bench/analyze-profile.ts [bench/results/profile]
import { existsSync } from "node:fs";
import path from "node:path";
import { root } from "../scripts/lib/setup.mjs";
import { readRecording, turnProfile, turnTimeline } from "./lib/profile";
import { type cpuBreakdown as Breakdown, cpuBreakdown } from "./lib/profile-analyze";

const dir = path.resolve(process.argv[2] ?? path.join(root, "bench/results/profile"));
const show = (title: string, b: ReturnType<typeof Breakdown> | undefined, top = 12) => {
  if (!b) return;
  console.log(`\n${title}: busy ${b.busyMsPerUnit} ms per unit (${b.busyPct}% of ${b.wallMs} ms sampled)`);
  for (const c of b.components) console.log(`  ${c.msPerUnit.toFixed(3).padStart(8)} ms  ${c.name}`);
  console.log("  top functions (self time):");
  for (const f of b.topFunctions.slice(0, top))
    console.log(`  ${f.msPerUnit.toFixed(3).padStart(8)} ms  ${f.fn}`);
};

const plain = turnTimeline(readRecording(dir, 0));
console.log(`c=1, ${plain.turns} turns without the profiler; timeline (ms):`);
for (const [k, v] of Object.entries(plain.timelineMs))
  console.log(`  ${k.padEnd(36)} p50 ${v.p50}  p95 ${v.p95}`);
if (existsSync(path.join(dir, "probe-1.json"))) {
  const prof = turnProfile(readRecording(dir, 1), root);
  show("c=1 request → upstream call, per turn", prof?.beforeUpstreamCall);
  show("c=1 upstream headers → first token written, per turn", prof?.upstreamHeadersToFirstToken, 8);
  show("c=1 whole turn, per turn", prof?.wholeTurn, 10);
}
if (existsSync(path.join(dir, "probe-2.cpuprofile"))) {
  const c50 = readRecording(dir, 2);
  if (c50.profile) show("c=50, per stream", cpuBreakdown(c50.profile, { units: 150, root }), 15);
}
