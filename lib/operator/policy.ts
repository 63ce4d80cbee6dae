import { AppError } from "@/lib/errors";
import { type OperatorDeps, operatorDeps } from "./deps";
import { readInstanceSettings } from "./settings";

// The operator's rules for their own (system) keys: who may use them and how much per UTC day.
// Checked before the provider call, where the vault decides a request runs on the system key.

export const SYSTEM_KEYS_NOT_ALLOWED_MESSAGE =
  "The operator of this instance has not shared their keys with your account. Add your own API key in AI settings.";

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * Throws when `userId` may not run a request on the operator's key for `provider` now:
 * API_KEY_REQUIRED when the policy leaves them out, BUDGET_EXCEEDED (retry at the next UTC
 * midnight) when today's requests or tokens on system keys reached the operator's daily budget.
 * Requests already running are not counted until they finish.
 */
export async function checkSystemKeyPolicy(
  userId: string,
  provider: string,
  { db: client }: OperatorDeps = operatorDeps(),
  now = new Date(),
): Promise<void> {
  const s = await readInstanceSettings({ db: client });
  if (s.systemKeyAccess === "none") throw new AppError("API_KEY_REQUIRED", SYSTEM_KEYS_NOT_ALLOWED_MESSAGE);
  if (s.systemKeyAccess === "allow-list") {
    const u = await client.user.findUnique({ where: { id: userId }, select: { systemKeyAllowed: true } });
    if (!u?.systemKeyAllowed) throw new AppError("API_KEY_REQUIRED", SYSTEM_KEYS_NOT_ALLOWED_MESSAGE);
  }
  if (s.systemKeyDailyRequests === null && s.systemKeyDailyTokens === null) return;
  const dayStart = startOfUtcDay(now);
  const today = await client.usageEvent.aggregate({
    where: { userId, keySource: "system", createdAt: { gte: dayStart } },
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true },
  });
  const tokens = (today._sum.inputTokens ?? 0) + (today._sum.outputTokens ?? 0);
  const overRequests = s.systemKeyDailyRequests !== null && today._count._all >= s.systemKeyDailyRequests;
  const overTokens = s.systemKeyDailyTokens !== null && tokens >= s.systemKeyDailyTokens;
  if (!overRequests && !overTokens) return;
  const retryAfter = Math.max(1, Math.ceil((dayStart.getTime() + 86_400_000 - now.getTime()) / 1000));
  const what = overRequests ? `${s.systemKeyDailyRequests} requests` : `${s.systemKeyDailyTokens} tokens`;
  throw new AppError(
    "BUDGET_EXCEEDED",
    `You have used today's budget on this instance's shared ${provider} key (${what} a day, set by the operator). It resets at midnight UTC; you can add your own API key in AI settings meanwhile.`,
    { retryAfter },
  );
}
