import type { AppError } from "@/lib/errors";

// The only retry layer of a chat turn (the SDK runs with maxRetries: 0). It retries only what
// may succeed on its own (408, 429 rate limits, 5xx, as judged by lib/ai's isRetryable), only
// before the first chunk reached the browser, and within a small total wait: a person is
// watching a spinner, so a long outage is better reported than hidden.

export type RetryPolicy = {
  /** Total time we may spend waiting between attempts. */
  budgetMs: number;
  /** First backoff step; doubled on each retry. */
  baseDelayMs: number;
  maxAttempts: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { budgetMs: 5_000, baseDelayMs: 400, maxAttempts: 3 };

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. A provider's
 * retry-after wins when it fits the remaining budget; when it does not, retrying early would
 * only fail again, so the user gets the countdown instead.
 */
export function nextDelayMs(
  attempt: number,
  error: AppError,
  retryable: boolean,
  waitedMs: number,
  policy: RetryPolicy,
): number | undefined {
  if (!retryable || attempt + 1 >= policy.maxAttempts) return undefined;
  const remaining = policy.budgetMs - waitedMs;
  const delay = error.retryAfter !== undefined ? error.retryAfter * 1000 : policy.baseDelayMs * 2 ** attempt;
  return delay <= remaining ? delay : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
