import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { round } from "./stats";

// Turns a V8 CPU profile of the server into "CPU ms per turn by component". The server's code
// is minified Turbopack chunks; their source maps name the original file (lib/…, a package
// in node_modules) of every sampled function.

export type CpuProfile = {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
};

/** First match wins: component name → test on the original source path. */
const COMPONENTS: [string, RegExp][] = [
  ["database: PGlite (SQL engine, WebAssembly)", /@electric-sql\/pglite|pglite-prisma-adapter/],
  ["database: Prisma client + query compiler", /@prisma\/|lib\/db\/|prisma/],
  ["session: next-auth + jose (JWT decrypt)", /next-auth|@auth\/core|jose|lib\/auth\//],
  ["key vault + decrypt (lib/keys, lib/crypto)", /lib\/keys\/|lib\/crypto\//],
  ["rate limit", /rate-limiter-flexible|lib\/limits|lib\/chat\/rate-limit/],
  ["validation (zod)", /\/zod\//],
  ["provider SDK (@ai-sdk/openai, provider-utils)", /@ai-sdk\/(openai|groq|google|provider-utils|provider)\b/],
  ["AI SDK core (ai: streamText, UI stream)", /node_modules\/ai\//],
  ["chat turn (lib/chat)", /lib\/chat\//],
  ["other app code (lib, app)", /^(lib|app)\//],
  ["Next.js server + React", /next\/dist|react-dom|react-server|scheduler|node_modules\/react\//],
  ["web streams (Node)", /node:internal\/webstreams/],
  ["fetch / undici (Node)", /undici|node:internal\/deps\/undici/],
  ["node:http, net, timers", /node:(internal\/)?(_?http|net|stream|timers|internal\/streams|internal\/timers)/],
  ["Node internals (other)", /^node:/],
];

const SPECIAL: Record<string, string> = {
  "(idle)": "idle",
  "(garbage collector)": "garbage collector",
  "(program)": "V8 / native (program)",
  "(root)": "V8 / native (program)",
};

export function createSourceResolver(root: string) {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (file: string) => {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null);
    }
    return maps.get(file) ?? null;
  };
  return (frame: CpuProfile["nodes"][number]["callFrame"]): { source: string; name: string } => {
    const { url, lineNumber, columnNumber, functionName } = frame;
    if (!url) return { source: "", name: functionName };
    if (!url.startsWith("file://")) return { source: url, name: functionName };
    const file = fileURLToPath(url);
    const map = file.includes(`${path.sep}.next${path.sep}`) ? mapFor(file) : null;
    if (map) {
      const entry = map.findEntry(lineNumber, columnNumber) as {
        originalSource?: string;
        originalLine?: number;
        name?: string;
      };
      if (entry?.originalSource) {
        const original = decodeURIComponent(entry.originalSource.replace(/^file:\/\//, ""));
        const abs = path.resolve(path.dirname(file), original);
        return {
          source: `${path.relative(root, abs)}:${(entry.originalLine ?? 0) + 1}`,
          name: entry.name || functionName,
        };
      }
    }
    return { source: `${path.relative(root, file)}:${lineNumber + 1}`, name: functionName };
  };
}

export function componentOf(source: string, functionName: string): string {
  if (SPECIAL[functionName]) return SPECIAL[functionName] as string;
  const s = source.replaceAll("\\", "/").replace(/^(\.\.\/)+/, "");
  for (const [name, re] of COMPONENTS) if (re.test(s)) return name;
  if (s.includes("node_modules/")) return `other package (${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(s)?.[1]})`;
  return s ? "other" : "V8 / native (program)";
}

/** CPU time by component and top functions; `units` = turns (or streams) to divide by. */
export function cpuBreakdown(profile: CpuProfile, opts: { units: number; root: string }) {
  const resolve = createSourceResolver(opts.root);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, { us: number; component: string }>();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    totalUs += us;
    const { source, name } = resolve(node.callFrame);
    const component = componentOf(source, node.callFrame.functionName);
    byComponent.set(component, (byComponent.get(component) ?? 0) + us);
    const key = `${name || "(anonymous)"} ${source}`;
    const f = byFunction.get(key) ?? { us: 0, component };
    f.us += us;
    byFunction.set(key, f);
  }
  const idleUs = byComponent.get("idle") ?? 0;
  const busyUs = totalUs - idleUs;
  const perUnit = (us: number) => round(us / 1000 / opts.units, 3);
  return {
    wallMs: round(totalUs / 1000, 0),
    busyPct: round((100 * busyUs) / Math.max(1, totalUs), 1),
    busyMsPerUnit: perUnit(busyUs),
    components: [...byComponent.entries()]
      .filter(([name]) => name !== "idle")
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, msPerUnit: perUnit(us), pctOfBusy: round((100 * us) / Math.max(1, busyUs), 1) })),
    topFunctions: [...byFunction.entries()]
      .filter(([, f]) => f.component !== "idle")
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, 25)
      .map(([fn, f]) => ({ fn, component: f.component, msPerUnit: perUnit(f.us) })),
  };
}
