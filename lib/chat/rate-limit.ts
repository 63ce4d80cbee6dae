import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { KeySource } from "@/lib/keys/policy";
import { consume, humanizeSeconds, limiter } from "@/lib/limits";

// Our own per-user budget, spent before any provider call. System-key traffic is the
// operator's money, so it also spends from a smaller budget of its own.

export async function checkChatRateLimit(userId: string, source: KeySource): Promise<void> {
  const e = env();
  limiter("chat", { points: e.RATE_LIMIT_CHAT_PER_MINUTE, durationSec: 60 });
  limiter("chat-system", { points: e.RATE_LIMIT_SYSTEM_KEY_PER_MINUTE, durationSec: 60 });
  const checks = [consume("chat", userId)];
  if (source === "system") checks.push(consume("chat-system", userId));
  for (const res of await Promise.all(checks)) {
    if (!res.ok) {
      throw new AppError(
        "RATE_LIMITED",
        `You are sending messages too fast. Try again in ${humanizeSeconds(res.retryAfterSec)}.`,
        { retryAfter: res.retryAfterSec },
      );
    }
  }
}
