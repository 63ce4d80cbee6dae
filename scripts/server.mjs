#!/usr/bin/env node
// The production server: serves the build in .next with Next.js's programmatic server
// (`next({ dev: false })` + getRequestHandler() on node:http), which is what `next start` runs
// too, plus three things `next start` cannot do:
//   - WEB_CONCURRENCY=N workers on one port through node:cluster (the primary only forks and
//     watches; connections are shared by the operating system / the cluster module);
//   - the client address decided from the socket and TRUSTED_PROXY_HOPS before Next.js sees the
//     request (scripts/lib/forwarded.mjs), so a forged X-Forwarded-For never reaches the app;
//   - a graceful shutdown on SIGTERM/SIGINT: stop accepting, let open requests (chat streams)
//     finish for SHUTDOWN_GRACE_MS, then abort them so each turn stores its partial answer as
//     ABORTED (lib/shutdown.ts), close the database (the embedded one's lock is released), exit 0.
// Expects a migrated database and a build: `npm start` prepares both and then runs this file.
// Plain Node ESM on purpose: it runs where only production dependencies are installed.
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rewriteForwardedHeaders } from "./lib/forwarded.mjs";
import { serverConfig } from "./lib/server-config.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** After the grace period: how long aborted streams get to store their partial answers. */
const ABORT_BOUND_MS = 5000;

if (cluster.isPrimary && existsSync(path.join(root, ".env"))) {
  // The same file Next.js reads, read before the settings below (workers inherit the result).
  process.loadEnvFile(path.join(root, ".env"));
}
process.env.NODE_ENV = "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

let config;
try {
  config = serverConfig(process.env);
} catch (e) {
  console.error(`\n✗ ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
}

if (config.workers > 1 && cluster.isPrimary) runPrimary(config);
else await runWorker(config);

function runPrimary(cfg) {
  for (const w of cfg.warnings) console.warn(`\n⚠ ${w}\n`);
  const where = `http://${cfg.hostname ?? "localhost"}:${cfg.port}`;
  let stopping = false;
  let exitCode = 0;
  // Our own list: cluster.workers may still hold a worker when its "exit" event fires.
  const live = new Set();
  const listening = new WeakSet();
  let announced = false;
  const fork = () => live.add(cluster.fork());
  cluster.on("listening", (worker) => {
    listening.add(worker);
    if (!announced && [...live].every((w) => listening.has(w))) {
      announced = true;
      console.log(`BYOK Chat: serving on ${where} with ${live.size} workers`);
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      if (code || signal) exitCode = code || 1;
    } else if (!listening.has(worker)) {
      // Died before serving (bad configuration, database unreachable): forking again would loop.
      console.error(`✗ worker ${worker.process.pid} exited during start-up (${how}); stopping.`);
      exitCode = code || 1;
      stop("SIGTERM");
    } else {
      console.error(`worker ${worker.process.pid} exited (${how}); starting a replacement.`);
      fork();
    }
    if (stopping && live.size === 0) process.exit(exitCode);
  });
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    // Workers also get the signal when it was sent to the process group (Ctrl-C, systemd);
    // forwarding covers a signal sent to this process alone. Their handler runs once.
    for (const w of live) w.process.kill(signal);
    if (live.size === 0) process.exit(exitCode);
    // A worker that hangs past its own bounds is killed.
    setTimeout(
      () => {
        for (const w of live) w.process.kill("SIGKILL");
      },
      cfg.graceMs + ABORT_BOUND_MS + 10_000,
    ).unref();
  };
  for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => stop(sig));
  for (let i = 0; i < cfg.workers; i++) fork();
}

async function runWorker(cfg) {
  if (cluster.isPrimary) for (const w of cfg.warnings) console.warn(`\n⚠ ${w}\n`);
  const { default: next } = await import("next");
  const server = http.createServer();
  const app = next({
    dev: false,
    dir: root,
    hostname: cfg.hostname ?? "localhost",
    port: cfg.port,
    httpServer: server,
  });
  await app.prepare();
  const handle = app.getRequestHandler();

  const open = new Set();
  let onIdle;
  let draining = false;
  const onRequest = (req, res) => {
    rewriteForwardedHeaders(req, cfg.hops);
    open.add(res);
    res.once("close", () => {
      open.delete(res);
      if (open.size === 0) onIdle?.();
    });
    // While draining, a kept-alive connection is closed after its current response.
    if (draining) res.setHeader("Connection", "close");
    handle(req, res).catch((e) => {
      console.error(`[server] request failed: ${e instanceof Error ? e.name : typeof e}`);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
  server.on("request", onRequest);

  await warmUp(onRequest);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.hostname, resolve);
  });
  if (cluster.isPrimary) {
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : cfg.port;
    console.log(`BYOK Chat: serving on http://${cfg.hostname ?? "localhost"}:${port}`);
  }

  const idle = (ms) =>
    new Promise((resolve) => {
      if (open.size === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  const turnsStored = async (ms) => {
    // Counted by lib/shutdown.ts: a turn releases once its answer is written.
    const until = Date.now() + ms;
    while ((globalThis.__byokOpenTurns ?? 0) > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    draining = true;
    const who = cluster.isWorker ? `worker ${process.pid}` : "server";
    console.log(
      `${who}: ${signal}, no new connections; ${open.size} open request(s), up to ${cfg.graceMs} ms`,
    );
    server.close();
    server.closeIdleConnections();
    let code = 0;
    try {
      if (!(await idle(cfg.graceMs))) {
        console.log(`${who}: grace period over, aborting ${open.size} open request(s)`);
        globalThis.__byokShutdown ??= new AbortController();
        globalThis.__byokShutdown.abort();
        await idle(ABORT_BOUND_MS);
      }
      server.closeAllConnections();
      await turnsStored(ABORT_BOUND_MS);
      await app.close();
      globalThis.__byokLimits?.redis?.disconnect();
      globalThis.__byokHealthRedis?.client.disconnect();
      // The database last: in embedded mode this also closes PGlite and releases its lock.
      const db = globalThis.__byokDb;
      globalThis.__byokDb = undefined;
      await db?.close();
    } catch (e) {
      console.error(`${who}: shutdown failed: ${e instanceof Error ? e.message : e}`);
      code = 1;
    }
    console.log(`${who}: stopped`);
    process.exit(code);
  };
  for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => void shutdown(sig));
}

/**
 * Next.js prepares its server, and runs instrumentation.ts (which opens the database or exits
 * with the reason), on the first request, not in app.prepare(). One request on a private
 * loopback socket before the real listen makes a worker that cannot open its database die before
 * it takes traffic (the primary then stops instead of forking replacements in a loop), and keeps
 * that slow first request away from users.
 */
async function warmUp(onRequest) {
  const probe = http.createServer(onRequest);
  // exclusive: in a cluster worker, a port of its own instead of one shared through the primary.
  await new Promise((resolve) => probe.listen({ port: 0, host: "127.0.0.1", exclusive: true }, resolve));
  try {
    const { port } = /** @type {import("node:net").AddressInfo} */ (probe.address());
    await new Promise((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path: "/api/health" }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
        .on("error", reject);
    });
  } finally {
    probe.close();
  }
}
