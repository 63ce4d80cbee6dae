import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// Child processes of the bench: each runs in its own process group so stopping it also stops
// whatever it spawned (next start), and nothing else. Stopped by id, in reverse start order.

export type Child = { name: string; proc: ChildProcess; pid: number; output: string[] };

const children: Child[] = [];

export function startChild(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean } = {},
): Child {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const child: Child = { name, proc, pid: proc.pid, output: [] };
  const keep = (b: Buffer) => {
    const text = b.toString();
    child.output.push(text);
    if (child.output.length > 400) child.output.shift();
    if (opts.echo) process.stderr.write(`[${name}] ${text}`);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  children.push(child);
  return child;
}

/** Resolves with the first capture of `pattern` in the child's output. */
export function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => done(new Error(`${child.name}: not ready after ${timeoutMs} ms\n${tail(child)}`)),
      timeoutMs,
    );
    const onData = (b: Buffer) => {
      seen += b.toString();
      const m = pattern.exec(seen);
      if (m) done(undefined, m[1] ?? m[0]);
    };
    const onExit = (code: number | null) =>
      done(new Error(`${child.name} exited (${code}) before ready\n${tail(child)}`));
    const done = (err?: Error, value?: string) => {
      clearTimeout(timer);
      child.proc.stdout?.off("data", onData);
      child.proc.stderr?.off("data", onData);
      child.proc.off("exit", onExit);
      if (err) reject(err);
      else resolve(value as string);
    };
    child.proc.stdout?.on("data", onData);
    child.proc.stderr?.on("data", onData);
    child.proc.once("exit", onExit);
  });
}

export const tail = (child: Child, lines = 30) => child.output.join("").split("\n").slice(-lines).join("\n");

export async function stopChild(child: Child, timeoutMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.proc.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  for (const c of children.splice(0).reverse()) await stopChild(c);
}

/** Synchronous last resort on process exit: SIGKILL every group we started. */
export function killAllNow(): void {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Pids in the process group led by `pgid` (ours), from /proc. */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Field 5 (pgrp) comes after "(comm)", which may itself contain spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the server, in bytes: every process of the child's group (next start forks). */
export function groupRss(child: Child): number {
  return groupPids(child.pid).reduce((sum, pid) => sum + rssOf(pid), 0);
}

/** The pid of the process that serves requests: the group's largest by RSS. */
export function serverPid(child: Child): number {
  const pids = groupPids(child.pid);
  return pids.reduce((best, pid) => (rssOf(pid) > rssOf(best) ? pid : best), pids[0] ?? child.pid);
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time of every process in the child's group so far, in ms: the server with all its workers
 * (node:cluster forks stay in the group) and threads. A process that exits mid-block takes its
 * share with it; the bench's servers do not restart workers while it measures.
 */
export function groupCpuMs(child: Child): number {
  return groupPids(child.pid).reduce((sum, pid) => {
    const ms = cpuTimeMs(pid);
    return Number.isFinite(ms) ? sum + ms : sum;
  }, 0);
}
