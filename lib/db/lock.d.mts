export interface LockHolder {
  pid: number;
  /** Process start time, ms since the epoch: tells a live holder from a reused pid. */
  startTime?: number;
  purpose: string;
  host?: string;
  acquiredAt: string;
  token: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  readonly code: "DATA_DIR_LOCKED";
  readonly dataDir: string;
  /** null while another process is still writing its lock file. */
  readonly holder: LockHolder | null;
  constructor(dataDir: string, holder: LockHolder | null);
}

export function lockFilePath(dataDir: string): string;
export function readDataDirLock(dataDir: string): LockHolder | null;
export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock;
