import { consume, type LimitResult, limiter } from "@/lib/limits";

// Mailed links on request ("Forgot password?", "send the confirmation again") cost a mail each
// and land in someone's inbox: per (email, client address) a few per 15 minutes, so nobody can
// flood one inbox from one place, and per address more, so one place cannot mail everybody.
// Callers pass the address from lib/client-ip.ts (TRUSTED_PROXY_HOPS), never a raw header.
// The answer is the same whether or not the email has an account.

export const MAIL_LINKS_PER_PAIR = 3;
export const MAIL_LINKS_PER_IP = 20;
const WINDOW_SEC = 15 * 60;

export async function throttleMailLink(
  kind: "reset" | "verify",
  email: string,
  ip: string | null,
): Promise<LimitResult> {
  limiter(`mail-${kind}-pair`, { points: MAIL_LINKS_PER_PAIR, durationSec: WINDOW_SEC });
  limiter("mail-ip", { points: MAIL_LINKS_PER_IP, durationSec: WINDOW_SEC });
  const pair = await consume(`mail-${kind}-pair`, `${email}\n${ip ?? "unknown"}`);
  if (!pair.ok) return pair;
  return consume("mail-ip", ip ?? "unknown");
}
