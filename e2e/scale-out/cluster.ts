import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";

// The moving parts of the two-instance suite (e2e/scale-out.spec.ts): production servers, a Redis
// of the suite's own, and a TCP forwarder that can cut one instance off PostgreSQL. Every process
// started here is remembered by PID and stopped by stopAll(); everything binds to loopback.

export const root = path.resolve(import.meta.dirname, "../..");

/** The production server entry `npm start` / `npm run serve` use; the one place a server is started. */
export const SERVER_ENTRY = path.join(root, "scripts/server.mjs");

export type Instance = {
  name: string;
  port: number;
  url: string;
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  /** Everything the process printed, stdout and stderr, in order. */
  output: string[];
  exited: Promise<number | null>;
};

const running = new Set<ChildProcess>();

function track(proc: ChildProcess, output?: string[]): Promise<number | null> {
  running.add(proc);
  const collect = (b: Buffer) => output?.push(...b.toString("utf8").split(/(?<=\n)/));
  proc.stdout?.on("data", collect);
  proc.stderr?.on("data", collect);
  return new Promise((resolve) => {
    // A missing binary (no redis-server on PATH) ends the process before it starts.
    proc.on("error", (e) => {
      running.delete(proc);
      output?.push(`${e.message}\n`);
      resolve(null);
    });
    proc.on("exit", (code) => {
      running.delete(proc);
      resolve(code);
    });
  });
}

/** Starts one app server on `port` and waits until it answers; throws with its output if it dies. */
export async function startServer(name: string, port: number, env: NodeJS.ProcessEnv): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const fullEnv = { ...env, PORT: String(port), HOSTNAME: "127.0.0.1", AUTH_URL: url };
  const proc = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: root,
    env: fullEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = track(proc, output);
  const inst: Instance = { name, port, url, env: fullEnv, proc, output, exited };
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  // Bounded: 120 tries, half a second apart.
  for (let i = 0; i < 120 && !dead; i++) {
    try {
      const res = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return inst;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  proc.kill("SIGKILL");
  throw new Error(`${name} did not start on ${url}:\n${output.join("").slice(-4000)}`);
}

/** Sends `signal` to the instance by PID and waits for it to exit (SIGKILL after 30 s). */
export async function stopServer(inst: Instance, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (inst.proc.exitCode !== null || inst.proc.signalCode !== null) return inst.proc.exitCode;
  inst.proc.kill(signal);
  const timer = setTimeout(() => inst.proc.kill("SIGKILL"), 30_000);
  try {
    return await inst.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A redis-server of the suite's own (the machine's Redis on 6379 is never touched). */
export class OwnRedis {
  private proc?: ChildProcess;
  private exited?: Promise<number | null>;
  constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.proc = proc;
    this.exited = track(proc);
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
      for (let i = 0; i < 50; i++) {
        try {
          if (client.status !== "ready") await client.connect();
          if ((await client.ping()) === "PONG") return;
        } catch {
          client.disconnect();
        }
        await sleep(100);
      }
      throw new Error(`redis-server did not start on port ${this.port} (is it installed and on PATH?)`);
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGTERM");
    await this.exited;
  }
}

/**
 * A TCP forwarder between one instance and PostgreSQL. cut() stops accepting and destroys every
 * open connection, as a network partition or a database restart would; restore() listens again.
 */
export class Forwarder {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => this.sockets.delete(s));
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise((r) => server.close(r)) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  restore = () => this.open();
}

/** A PostgreSQL URL with another host:port (the forwarder's). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.host = `127.0.0.1:${port}`;
  return u.toString();
}

export const masterKey = (kid: string) => `${kid}:${randomBytes(32).toString("base64")}`;

/** A scratch BYOK_DATA_DIR (unused with DATABASE_URL, but kept out of the worktree). */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "byok-scale-out-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Kills (SIGKILL) every process this module started that is still running. */
export async function stopAll(): Promise<void> {
  const waits = [...running].map(
    (p) =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) return resolve();
        p.once("exit", () => resolve());
        p.kill("SIGKILL");
      }),
  );
  await Promise.all(waits);
}

/** A loopback port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * The environment a spec's own production server starts from: only PATH, HOME, TMPDIR, LANG and
 * NODE_OPTIONS of the caller's (no DATABASE_URL, system keys or limits leak in), in production mode.
 */
export function isolatedEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "NODE_OPTIONS"]) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
