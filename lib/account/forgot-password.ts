import { normalizeEmail } from "@/lib/auth/schemas";
import { issueResetToken, RESET_PATH, RESET_TTL_MS } from "@/lib/operator/reset";
import { type AccountDeps, accountDeps } from "./deps";
import { throttleMailLink } from "./mail-throttle";
import { deliverInBackground, issueVerification, verificationMail } from "./sign-up";

// "Forgot password?" (SMTP_URL set): mails a single-use, expiring reset link (the same links as
// `npm run admin -- reset-link`, lib/operator/reset.ts) to the account's address. The answer is
// the same whether or not the address has an account, and the mail goes out in the background so
// its timing does not tell either. A sign-up still waiting for its confirmation gets that link
// again instead (confirming is what it lacks); a disabled account gets nothing.

export type ForgotResult = { ok: true; delivery: Promise<void> } | { ok: false; retryAfterSec: number };

export async function requestPasswordReset(
  rawEmail: string,
  ip: string | null,
  deps: AccountDeps = accountDeps(),
): Promise<ForgotResult> {
  const email = normalizeEmail(rawEmail);
  const budget = await throttleMailLink("reset", email, ip);
  if (!budget.ok) return budget;
  if (!deps.smtpUrl) return { ok: true, delivery: Promise.resolve() };
  const link = await deps.db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { email },
      select: { id: true, disabledAt: true, verificationPending: true },
    });
    if (!user || user.disabledAt) return null;
    if (user.verificationPending)
      return { verify: true, token: await issueVerification(tx, user.id) } as const;
    const { token } = await issueResetToken(tx, user.id);
    await tx.auditEvent.create({ data: { userId: user.id, action: "account.password_reset_mailed", ip } });
    return { verify: false, token } as const;
  });
  if (!link) return { ok: true, delivery: Promise.resolve() };
  if (link.verify) {
    return {
      ok: true,
      delivery: deliverInBackground(
        deps,
        verificationMail(deps, email, link.token),
        "auth.verify_mail_failed",
      ),
    };
  }
  const mail = {
    to: email,
    subject: "Reset your BYOK Chat password",
    text: [
      "Someone asked to reset the password of the BYOK Chat account with this address.",
      "",
      `To choose a new password, open this link (it works once, for ${RESET_TTL_MS / 60_000} minutes):`,
      `${deps.appOrigin}${RESET_PATH}?token=${link.token}`,
      "",
      "Choosing a new password signs the account out everywhere.",
      "If this was not you, ignore this mail: your password stays as it is.",
    ].join("\n"),
  };
  return { ok: true, delivery: deliverInBackground(deps, mail, "auth.reset_mail_failed") };
}
