// One process per PGlite data directory. PGlite takes no lock of its own: a second opener
// (another `next start`, a migration run, a second instance in the same process) silently loses
// writes and can leave the directory unopenable. Plain ESM so scripts/migrate.mjs and lib/db
// share this one implementation and one file format.
import { randomUUID } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";

export class DataDirLockedError extends Error {
  code = "DATA_DIR_LOCKED";
  constructor(dataDir, holder) {
    const who = !holder
      ? "another process (its lock file is being written)"
      : holder.pid === process.pid
        ? `this process (pid ${holder.pid}, ${holder.purpose})`
        : `process ${holder.pid} (${holder.purpose}, since ${holder.acquiredAt}${holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : ""})`;
    super(
      `The embedded database in ${dataDir} is in use by ${who}. PGlite allows one process per data ` +
        `directory and a second one would corrupt it: stop that process${holder ? ` (kill ${holder.pid})` : ""}, ` +
        "or set DATABASE_URL to use a PostgreSQL server.",
    );
    this.name = "DataDirLockedError";
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

export const lockFilePath = (dataDir) => path.join(dataDir, "pglite.lock");

let bootTimeMs;
/** Start time of a process in ms since the epoch, from /proc (Linux); undefined elsewhere. */
function processStartTime(pid) {
  try {
    bootTimeMs ??= Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]) * 1000;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm) " start at field 3; starttime is field 22, in clock ticks (100/s).
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(bootTimeMs + ticks) ? bootTimeMs + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

const ownStartTime = () => processStartTime(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000);

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

// The start time guards against pid reuse: after a crash or a container restart the new
// process (or an unrelated one) may well have the old holder's pid.
function holderIsLive(holder) {
  const sameStart = (t) => t !== undefined && Math.abs(t - holder.startTime) < 2000;
  if (holder.pid === process.pid) return sameStart(ownStartTime());
  if (!isAlive(holder.pid)) return false;
  const started = processStartTime(holder.pid);
  return started === undefined || holder.startTime === undefined || sameStart(started);
}

function readText(file) {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return undefined;
    throw e;
  }
}

function parse(text) {
  try {
    const h = JSON.parse(text);
    return Number.isInteger(h?.pid) ? h : null;
  } catch {
    return null;
  }
}

/** The current holder of the directory's lock, live or stale; null when there is none. */
export function readDataDirLock(dataDir) {
  const text = readText(lockFilePath(dataDir));
  return text === undefined ? null : parse(text);
}

function tryCreate(file, text) {
  let fd;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (e) {
    if (e.code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

// Move the stale file aside rather than unlinking it: if another process replaced it in the
// meantime, what we moved is not what we judged stale, and it is put back.
function takeOver(file, staleText) {
  const aside = `${file}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if (e.code === "ENOENT") return;
    throw e;
  }
  if (readText(aside) === staleText) unlinkSync(aside);
  else renameSync(aside, file);
}

/**
 * Takes the directory's lock or throws DataDirLockedError naming the holder. A lock left by a
 * dead process is taken over. Released by `release()` or when the process exits.
 */
export function acquireDataDirLock(dataDir, purpose) {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = lockFilePath(dir);
  const mine = {
    pid: process.pid,
    startTime: ownStartTime(),
    purpose,
    host: os.hostname(),
    acquiredAt: new Date().toISOString(),
    token: randomUUID(),
  };
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, text)) return holdLock(file, text);
    const existing = readText(file);
    if (existing === undefined) continue;
    const holder = parse(existing);
    // An unreadable lock younger than a few seconds is most likely still being written.
    const young = !holder && Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 5000;
    if (young || (holder && holderIsLive(holder))) throw new DataDirLockedError(dir, holder);
    takeOver(file, existing);
  }
  throw new DataDirLockedError(dir, readDataDirLock(dir));
}

function holdLock(file, text) {
  const release = () => {
    process.removeListener("exit", release);
    // Only remove the file while it is still ours.
    if (readText(file) === text) unlinkSync(file);
  };
  process.on("exit", release);
  return { file, release };
}
