import type Redis from "ioredis";

// For tests of lib/keys/holds.ts and what builds on it: which store the spending holds use, and
// "another instance" (this process with its memory wiped: each instance has its own).

const g = globalThis as unknown as {
  __byokLimits?: { redis?: Redis };
  __byokEnv?: unknown;
  __byokSpendHolds?: unknown;
};

export const REDIS = "redis://127.0.0.1:6379";

/** Holds in Redis at `url`, or in this process's memory when absent. */
export async function useBackend(url?: string): Promise<void> {
  g.__byokLimits?.redis?.disconnect();
  delete g.__byokLimits;
  delete g.__byokEnv;
  delete g.__byokSpendHolds;
  if (url) process.env.REDIS_URL = url;
  else delete process.env.REDIS_URL;
  if (url) {
    const { connectLimitStore } = await import("@/lib/limits");
    await connectLimitStore(2000);
  }
}

/** Another instance: what this process held in memory is gone (Redis keeps what it holds). */
export const otherInstance = () => {
  delete g.__byokSpendHolds;
};
