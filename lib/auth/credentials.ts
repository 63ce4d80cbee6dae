import { dummyHash, verifyPassword } from "@/lib/auth/password";
import { normalizeEmail } from "@/lib/auth/schemas";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { consume, limiter, refund, reset } from "@/lib/limits";

// Credential checks with throttling of FAILED attempts, per email and per client IP. The IP
// budget is larger because many people can share one address (offices, carrier NAT).

export type AuthUser = { id: string; email: string; name: string | null };
export type AuthResult =
  | { ok: true; user: AuthUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "throttled"; retryAfterSec: number };

const WINDOW_SEC = 15 * 60;
const IP_FACTOR = 5;

function limiters() {
  const perEmail = env().RATE_LIMIT_SIGNIN_PER_15_MIN;
  limiter("signin-email", { points: perEmail, durationSec: WINDOW_SEC });
  limiter("signin-ip", { points: perEmail * IP_FACTOR, durationSec: WINDOW_SEC });
}

export async function authenticate(
  rawEmail: string,
  password: string,
  ip: string | null,
): Promise<AuthResult> {
  limiters();
  void dummyHash(); // warm the dummy hash so the first unknown-email attempt is not faster
  const email = normalizeEmail(rawEmail);
  const emailKey = email;
  const ipKey = ip ?? "unknown";

  // Spend first, refund on success: atomic, so parallel guesses cannot overrun the budget.
  const spent = await Promise.all([consume("signin-email", emailKey), consume("signin-ip", ipKey)]);
  const blocked = spent.find((r) => !r.ok);
  if (blocked && !blocked.ok) return { ok: false, reason: "throttled", retryAfterSec: blocked.retryAfterSec };

  const user = await db().user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, disabledAt: true },
  });
  const valid = await verifyPassword(user?.passwordHash, password);

  if (!user || !valid) return { ok: false, reason: "invalid" };
  // Told only to whoever knows the password: the operator disabled the account (lib/operator).
  if (user.disabledAt) return { ok: false, reason: "disabled" };
  // Success clears the email's failures and refunds this attempt to the IP (but not its earlier
  // failures: one good account must not unlock guessing at others).
  await Promise.all([reset("signin-email", emailKey), refund("signin-ip", ipKey)]);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
