// Loaded into the app server only by `npm run bench -- --profile`, with
// NODE_OPTIONS="--require bench/probe.cjs" and BENCH_PROBE_DIR. Opens no port: SIGUSR2 starts
// a recording, the next SIGUSR2 stops it and writes <dir>/probe-<n>.cpuprofile (V8 CPU profile,
// 200 µs sampling, loadable in Chrome DevTools) and <dir>/probe-<n>.json, a timeline of every
// POST /api/chat: request start, upstream request created / answered, first token written, and
// the time spent inside the embedded database's query calls. Times are CLOCK_MONOTONIC ms.
"use strict";

const dc = require("node:diagnostics_channel");
const fs = require("node:fs");
const http = require("node:http");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.BENCH_PROBE_DIR;
let session;
let recording = false;
let seq = 0;
let turns = [];
/** The chat request being handled; the profile phase runs one at a time. */
let current;
let dbOutside = { ms: 0, calls: 0 };

// CLOCK_MONOTONIC in ms: the clock of the CPU profile's timestamps (µs), so the bench can cut
// the profile into each turn's phases.
const now = () => Number(process.hrtime.bigint()) / 1e6;
const byResponse = new WeakMap();

dc.subscribe("http.server.request.start", ({ request, response }) => {
  if (!recording || request.method !== "POST" || request.url !== "/api/chat") return;
  current = { start: now(), db: { ms: 0, calls: 0 }, dbBeforeUpstream: undefined };
  byResponse.set(response, current);
  turns.push(current);
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

const byUpstream = new WeakMap();
dc.subscribe("undici:request:create", ({ request }) => {
  const turn = current;
  if (!recording || !turn || turn.upstream !== undefined) return;
  turn.upstream = now();
  turn.dbBeforeUpstream = { ...turn.db };
  turn.upstreamPath = request.path;
  byUpstream.set(request, turn);
});
dc.subscribe("undici:request:headers", ({ request }) => {
  const turn = byUpstream.get(request);
  if (turn) turn.upstreamHeaders = now();
});

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
import("@electric-sql/pglite")
  .then(({ PGlite }) => {
    for (const name of ["query", "exec", "transaction"]) timed(PGlite.prototype, name);
  })
  .catch(() => undefined); // PostgreSQL mode: no embedded database to time

dc.subscribe("http.server.response.finish", ({ response }) => {
  const turn = byResponse.get(response);
  if (turn) {
    turn.end = now();
    if (current === turn) current = undefined;
  }
});

function post(method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

let cpu = false;
process.on("SIGUSR2", async () => {
  if (!dir) return;
  if (!recording) {
    // <dir>/control.json {"cpu": false} records the timeline alone, without profiler overhead.
    const control = path.join(dir, "control.json");
    cpu = !fs.existsSync(control) || JSON.parse(fs.readFileSync(control, "utf8")).cpu !== false;
    if (cpu && !session) {
      session = new inspector.Session();
      session.connect();
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 200 });
    }
    turns = [];
    dbOutside = { ms: 0, calls: 0 };
    if (cpu) await post("Profiler.start");
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
});
