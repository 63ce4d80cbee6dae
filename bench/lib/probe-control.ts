import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// Talks to bench/probe.cjs inside the server: a control file, then SIGUSR2 (no port).

export const probeDir = (outDir: string) => path.join(outDir, "probe");

export function resetProbeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true }); // files of an earlier run would be read as this one's
  mkdirSync(dir, { recursive: true });
}

export type MemoryUsage = {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
};

/** Full GC in the server, then its process.memoryUsage(); undefined if the probe does not answer. */
export async function memoryAfterGc(pid: number, dir: string, tag: string): Promise<MemoryUsage | undefined> {
  const file = path.join(dir, `memory-${tag}.json`);
  writeFileSync(path.join(dir, "control.json"), JSON.stringify({ action: "memory", tag }));
  process.kill(pid, "SIGUSR2");
  return (await waitFor(file)) ? (JSON.parse(readFileSync(file, "utf8")) as MemoryUsage) : undefined;
}

export function askRecording(pid: number, dir: string, cpuProfile: boolean): void {
  writeFileSync(path.join(dir, "control.json"), JSON.stringify({ action: "record", cpu: cpuProfile }));
  process.kill(pid, "SIGUSR2");
}

export function stopRecording(pid: number): void {
  process.kill(pid, "SIGUSR2");
}

async function waitFor(file: string, timeoutMs = 10_000): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    if (existsSync(file)) return true;
    await sleep(50);
  }
  return false;
}

export async function startHeapSampling(pid: number, dir: string, tag: string): Promise<void> {
  writeFileSync(path.join(dir, "control.json"), JSON.stringify({ action: "heap-start", tag }));
  process.kill(pid, "SIGUSR2");
  await waitFor(path.join(dir, `heap-${tag}.started`));
}

/** The sampling heap profile of objects alive now (after a full GC). */
export async function stopHeapSampling(pid: number, dir: string, tag: string): Promise<unknown> {
  const file = path.join(dir, `heap-${tag}.json`);
  writeFileSync(path.join(dir, "control.json"), JSON.stringify({ action: "heap-stop", tag }));
  process.kill(pid, "SIGUSR2");
  return (await waitFor(file, 30_000)) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}
