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
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/**
 * First match wins: component name → test on the original source path. The first group are
 * owners (code the app chose); the rest are runtime layers they call into.
 */
const OWNERS: [string, RegExp][] = [
  ["database: PGlite (SQL engine, WebAssembly)", /@electric-sql\/pglite|pglite-prisma-adapter/],
  ["database: Prisma client + query compiler", /@prisma\/|lib\/db\/|prisma/],
  ["session: next-auth + jose (JWT decrypt)", /next-auth|@auth\/core|jose|lib\/auth\//],
  ["key vault + decrypt (lib/keys, lib/crypto)", /lib\/keys\/|lib\/crypto\//],
  ["rate limit", /rate-limiter-flexible|lib\/limits|lib\/chat\/rate-limit/],
  ["validation (zod)", /\/zod\//],
  [
    "provider SDK (@ai-sdk/openai, provider-utils)",
    /@ai-sdk\/(openai|groq|google|provider-utils|provider)\b/,
  ],
  ["AI SDK core (ai: streamText, UI stream)", /node_modules\/ai\//],
  ["chat turn (lib/chat)", /lib\/chat\//],
  ["other app code (lib, app)", /^(lib|app)\//],
  ["Next.js server + React", /next\/dist|next\/src|react-dom|react-server|scheduler|node_modules\/react\//],
];
const RUNTIME: [string, RegExp][] = [
  // Its write hook sits under Next's response writes: only its own frames are its cost.
  ["bench probe (measurement overhead)", /bench\/probe\.cjs/],
  ["web streams (Node)", /node:internal\/webstreams/],
  ["fetch / undici (Node)", /undici|node:internal\/deps\/undici/],
  [
    "node:http, net, timers",
    /node:(internal\/)?(_?http|net|stream|timers|internal\/streams|internal\/timers)/,
  ],
  ["Node internals (other)", /^node:/],
];

const SPECIAL: Record<string, string> = {
  "(idle)": "idle",
  "(garbage collector)": "garbage collector",
  "(program)": "V8 / native (program)",
  "(root)": "V8 / native (program)",
};
const SPECIAL_NAMES = new Set(["idle", "garbage collector"]);

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
  for (const [name, re] of [...OWNERS, ...RUNTIME]) if (re.test(s)) return name;
  if (s.includes("node_modules/"))
    return `other package (${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(s)?.[1]})`;
  return s ? "other" : "V8 / native (program)";
}

type Window = { fromMs: number; toMs: number };

/** Self time per profile node, optionally only for samples inside the windows (CLOCK_MONOTONIC ms). */
function selfTimes(profile: CpuProfile, windows?: Window[]): Map<number, number> {
  const selfUs = new Map<number, number>();
  const sorted = windows ? [...windows].sort((a, b) => a.fromMs - b.fromMs) : undefined;
  let t = profile.startTime;
  let w = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (sorted) {
      const ms = t / 1000;
      while (w < sorted.length && (sorted[w] as Window).toMs < ms) w++;
      const win = sorted[w];
      if (!win || ms < win.fromMs) return;
    }
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  });
  return selfUs;
}

type Node = CpuProfile["nodes"][number];

/**
 * Sums `self` (µs or bytes per node id) by owner component and by function. Work in a runtime
 * layer (WebAssembly, natives, Node internals) counts for the nearest caller that is an owner:
 * PGlite's wasm is the database's, jose's WebCrypto calls are the session's.
 */
function attribute(nodeList: Node[], self: Map<number, number>, root: string) {
  const resolve = createSourceResolver(root);
  const parent = new Map<number, number>();
  for (const n of nodeList) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodes = new Map(nodeList.map((n) => [n.id, n]));
  const owners = new Set(OWNERS.map(([name]) => name));
  const leafOf = new Map<number, { source: string; name: string; component: string }>();
  const leaf = (id: number) => {
    let v = leafOf.get(id);
    if (!v) {
      const n = nodes.get(id) as Node;
      const r = resolve(n.callFrame);
      v = { ...r, component: componentOf(r.source, n.callFrame.functionName) };
      leafOf.set(id, v);
    }
    return v;
  };
  const ownerOf = (id: number): string => {
    const own = leaf(id).component;
    if (owners.has(own) || SPECIAL_NAMES.has(own)) return own;
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const c = leaf(p).component;
      if (owners.has(c)) return c;
    }
    return own;
  };
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, { value: number; component: string }>();
  let total = 0;
  for (const node of nodeList) {
    const value = self.get(node.id) ?? 0;
    if (!value) continue;
    total += value;
    const { source, name, component } = leaf(node.id);
    const owner = ownerOf(node.id);
    byComponent.set(owner, (byComponent.get(owner) ?? 0) + value);
    const key = `${name || "(anonymous)"} ${source}`;
    const f = byFunction.get(key) ?? { value: 0, component };
    f.value += value;
    byFunction.set(key, f);
  }
  return { byComponent, byFunction, total };
}

/**
 * CPU time by component and top functions; `units` = turns (or streams) to divide by. With
 * `windows`, only samples inside them count (e.g. each turn from request to upstream call);
 * what is left of the windows' length is time the server was waiting ("idle").
 */
export function cpuBreakdown(profile: CpuProfile, opts: { units: number; root: string; windows?: Window[] }) {
  const {
    byComponent,
    byFunction,
    total: totalUs,
  } = attribute(profile.nodes, selfTimes(profile, opts.windows), opts.root);
  const idleUs = byComponent.get("idle") ?? 0;
  const busyUs = totalUs - idleUs;
  const perUnit = (us: number) => round(us / 1000 / opts.units, 3);
  return {
    wallMs: round(totalUs / 1000, 0),
    busyPct: round((100 * busyUs) / Math.max(1, totalUs), 1),
    busyMsPerUnit: perUnit(busyUs),
    components: [...byComponent.entries()]
      .filter(([name]) => opts.windows || name !== "idle")
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({
        name,
        msPerUnit: perUnit(us),
        pctOfBusy: round((100 * us) / Math.max(1, busyUs), 1),
      })),
    topFunctions: [...byFunction.entries()]
      .filter(([, f]) => f.component !== "idle")
      .sort((a, b) => b[1].value - a[1].value)
      .slice(0, 25)
      .map(([fn, f]) => ({ fn, component: f.component, msPerUnit: perUnit(f.value) })),
  };
}

export type HeapProfile = {
  head: { id: number; callFrame: Node["callFrame"]; selfSize: number; children: HeapProfile["head"][] };
};

/** Live bytes (a sampling heap profile taken after a full GC) by component, per unit. */
export function heapBreakdown(profile: HeapProfile, opts: { units: number; root: string }) {
  const nodeList: Node[] = [];
  const self = new Map<number, number>();
  const walk = (n: HeapProfile["head"]) => {
    nodeList.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
    if (n.selfSize) self.set(n.id, n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  const { byComponent, byFunction, total } = attribute(nodeList, self, opts.root);
  const kb = (bytes: number) => round(bytes / 1000 / opts.units, 1);
  return {
    liveKbPerUnit: kb(total),
    components: [...byComponent.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => ({ name, kbPerUnit: kb(bytes) })),
    topAllocationSites: [...byFunction.entries()]
      .sort((a, b) => b[1].value - a[1].value)
      .slice(0, 15)
      .map(([fn, f]) => ({ fn, component: f.component, kbPerUnit: kb(f.value) })),
  };
}
