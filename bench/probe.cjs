// Loaded into the app server by `npm run bench` (NODE_OPTIONS="--require bench/probe.cjs",
// BENCH_PROBE_DIR). Inert until asked: it only listens for SIGUSR2 and opens no port. On each
// SIGUSR2 it reads <dir>/control.json:
//  {"action":"memory","tag":T}  full GC, then writes <dir>/memory-T.json (process.memoryUsage());
//  {"action":"heap-start"|"heap-stop","tag":T}  sampling heap profiler; stop writes the objects
//    still alive after a full GC to <dir>/heap-T.json;
//  {"action":"record","cpu":B}  starts a recording; the next SIGUSR2 stops it and writes
//    <dir>/probe-<n>.json, a timeline of every POST /api/chat (request start, upstream request
//    created / answered, first token written, time inside the embedded database's query calls,
//    CLOCK_MONOTONIC ms) and, with cpu, <dir>/probe-<n>.cpuprofile (V8, 200 µs sampling).
// Hooks into the request path are installed at the first recording, never before.
"use strict";

const dc = require("node:diagnostics_channel");
const fs = require("node:fs");
const http = require("node:http");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.BENCH_PROBE_DIR;
let session;
let recording = false;
let cpu = false;
let seq = 0;
let turns = [];
/** The chat request being handled; recordings run one turn at a time. */
let current;
let dbOutside = { ms: 0, calls: 0 };

// CLOCK_MONOTONIC in ms: the clock of the CPU profile's timestamps (µs), so the bench can cut
// the profile into each turn's phases.
const now = () => Number(process.hrtime.bigint()) / 1e6;
const byResponse = new WeakMap();
const byUpstream = new WeakMap();

// PGlite runs SQL on this thread (WebAssembly): wall time in its calls is database time.
function timed(proto, name) {
  const orig = proto[name];
  if (typeof orig !== "function") return;
  proto[name] = async function probeDb(...args) {
    const t = now();
    try {
      return await orig.apply(this, args);
    } finally {
      if (recording) {
        const into = current && current.end === undefined ? current.db : dbOutside;
        into.ms += now() - t;
        into.calls++;
      }
    }
  };
}

let installed = false;
async function install() {
  if (installed) return;
  installed = true;
  dc.subscribe("http.server.request.start", ({ request, response }) => {
    if (!recording || request.method !== "POST" || request.url !== "/api/chat") return;
    current = { start: now(), db: { ms: 0, calls: 0 }, dbBeforeUpstream: undefined };
    byResponse.set(response, current);
    turns.push(current);
  });
  dc.subscribe("http.server.response.finish", ({ response }) => {
    const turn = byResponse.get(response);
    if (!turn) return;
    turn.end = now();
    if (current === turn) current = undefined;
  });
  dc.subscribe("undici:request:create", ({ request }) => {
    const turn = current;
    if (!recording || !turn || turn.upstream !== undefined) return;
    turn.upstream = now();
    turn.dbBeforeUpstream = { ...turn.db };
    byUpstream.set(request, turn);
  });
  dc.subscribe("undici:request:headers", ({ request }) => {
    const turn = byUpstream.get(request);
    if (turn) turn.upstreamHeaders = now();
  });
  const write = http.ServerResponse.prototype.write;
  http.ServerResponse.prototype.write = function probeWrite(chunk, ...rest) {
    const turn = recording ? byResponse.get(this) : undefined;
    if (turn && turn.firstToken === undefined) {
      const t = now();
      turn.firstWrite ??= t;
      if (chunk && Buffer.from(chunk).includes("text-delta")) turn.firstToken = t;
    }
    return write.call(this, chunk, ...rest);
  };
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    for (const name of ["query", "exec", "transaction"]) timed(PGlite.prototype, name);
  } catch {
    // PostgreSQL mode: no embedded database to time
  }
}

function post(method, params) {
  if (!session) {
    session = new inspector.Session();
    session.connect();
  }
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function onSignal() {
  const control = path.join(dir, "control.json");
  const ask = fs.existsSync(control) ? JSON.parse(fs.readFileSync(control, "utf8")) : { action: "record" };
  if (ask.action === "heap-start") {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", { samplingInterval: 4096 });
    fs.writeFileSync(path.join(dir, `heap-${ask.tag}.started`), "");
    return;
  }
  if (ask.action === "heap-stop") {
    // Live objects only: what survives a full GC, by the stack that allocated it.
    await post("HeapProfiler.collectGarbage");
    const { profile } = await post("HeapProfiler.getSamplingProfile");
    await post("HeapProfiler.stopSampling");
    const file = path.join(dir, `heap-${ask.tag}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(profile));
    fs.renameSync(`${file}.tmp`, file);
    return;
  }
  if (ask.action === "memory") {
    await post("HeapProfiler.collectGarbage");
    const file = path.join(dir, `memory-${ask.tag}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
    fs.renameSync(`${file}.tmp`, file);
    return;
  }
  if (!recording) {
    await install();
    cpu = ask.cpu !== false;
    if (cpu) {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 200 });
      await post("Profiler.start");
    }
    turns = [];
    dbOutside = { ms: 0, calls: 0 };
    recording = true;
    return;
  }
  recording = false;
  const n = seq++;
  if (cpu) {
    const { profile } = await post("Profiler.stop");
    fs.writeFileSync(path.join(dir, `probe-${n}.cpuprofile`), JSON.stringify(profile));
  }
  fs.writeFileSync(path.join(dir, `probe-${n}.json`), JSON.stringify({ turns, dbOutside }));
  fs.writeFileSync(path.join(dir, `probe-${n}.done`), "");
}

if (dir) process.on("SIGUSR2", () => void onSignal().catch((e) => console.error(`[bench probe] ${e}`)));
