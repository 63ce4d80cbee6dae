import { dummyHash, verifyPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { block, consume, limiter, peek, refund, reset } from "@/lib/limits";

// Credential checks with throttling of FAILED attempts. Callers pass the client address from
// lib/client-ip.ts (TRUSTED_PROXY_HOPS), never a raw header.
// - Per (email, IP) pair: RATE_LIMIT_SIGNIN_PER_15_MIN failures are free, then each further
//   failure makes that pair wait twice as long as the last (1 s, 2 s, 4 s … at most 15 min).
//   A guesser elsewhere slows down only their own pairs: the owner at their own address is
//   never locked out by someone else's guesses.
// - Per IP: RATE_LIMIT_SIGNIN_PER_15_MIN × 5 failures per 15 minutes, across all emails (many
//   people can share one address: offices, carrier NAT), so one address cannot sweep accounts.

export type AuthUser = { id: string; email: string; name: string | null };
export type AuthResult =
  | { ok: true; user: AuthUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "unverified" }
  | { ok: false; reason: "throttled"; retryAfterSec: number };

const WINDOW_SEC = 15 * 60;
const IP_FACTOR = 5;
/** A pair's failures are forgotten a day after its last one (or at its next success). */
const PAIR_MEMORY_SEC = 24 * 60 * 60;
const PAIR_FAILURES_CAP = 1_000_000;
export const MAX_DELAY_SEC = 15 * 60;

/** The wait after a pair's `failures`-th failure, in seconds (0: none). */
export function pairDelaySec(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(MAX_DELAY_SEC, 2 ** Math.min(failures - free - 1, 20));
}

function limiters() {
  const perPair = env().RATE_LIMIT_SIGNIN_PER_15_MIN;
  limiter("signin-pair-failures", { points: PAIR_FAILURES_CAP, durationSec: PAIR_MEMORY_SEC });
  limiter("signin-pair-wait", { points: 1, durationSec: 1 });
  limiter("signin-ip", { points: perPair * IP_FACTOR, durationSec: WINDOW_SEC });
  return perPair;
}

export async function authenticate(
  rawEmail: string,
  password: string,
  ip: string | null,
): Promise<AuthResult> {
  const free = limiters();
  void dummyHash(); // warm the dummy hash so the first unknown-email attempt is not faster
  const email = normalizeEmail(rawEmail);
  const pairKey = `${email}\n${ip ?? "unknown"}`;
  const ipKey = ip ?? "unknown";

  const waiting = await peek("signin-pair-wait", pairKey);
  if (!waiting.ok) return { ok: false, reason: "throttled", retryAfterSec: waiting.retryAfterSec };
  // Spend first, refund on success: atomic, so parallel guesses cannot overrun the IP budget.
  const spent = await consume("signin-ip", ipKey);
  if (!spent.ok) return { ok: false, reason: "throttled", retryAfterSec: spent.retryAfterSec };

  const user = await db().user.findUnique({
    where: { email },
    select: {
      id: true,
      email: true,
      name: true,
      passwordHash: true,
      disabledAt: true,
      verificationPending: true,
    },
  });
  const valid = await verifyPassword(user?.passwordHash, password);

  if (!user || !valid) {
    const counted = await consume("signin-pair-failures", pairKey);
    const failures = counted.ok ? PAIR_FAILURES_CAP - counted.remaining : PAIR_FAILURES_CAP;
    const delay = pairDelaySec(failures, free);
    if (delay > 0) await block("signin-pair-wait", pairKey, delay);
    return { ok: false, reason: "invalid" };
  }
  // Told only to whoever knows the password: the operator disabled the account (lib/operator).
  if (user.disabledAt) return { ok: false, reason: "disabled" };
  // Likewise: a sign-up made with SMTP_URL set waits for its mailed link (lib/account/sign-up.ts).
  if (user.verificationPending) return { ok: false, reason: "unverified" };
  // Success clears the pair's failures and refunds this attempt to the IP (but not its earlier
  // failures: one good account must not unlock guessing at others).
  await Promise.all([
    reset("signin-pair-failures", pairKey),
    reset("signin-pair-wait", pairKey),
    refund("signin-ip", ipKey),
  ]);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
