import type { Metadata } from "next";
import Link from "next/link";
import { MailLinkForm } from "@/app/_components/auth/mail-link-form";
import { env } from "@/lib/env";
import { RESET_TTL_MS } from "@/lib/operator/reset";
import { forgotPasswordAction } from "./actions";

export const metadata: Metadata = { title: "Forgot password" };

// Public: a signed-out visitor asks for a mailed reset link. Without SMTP_URL the instance cannot
// mail, so the page says who can make one (the operator, `npm run admin -- reset-link`).
export default function ForgotPasswordPage() {
  const mails = !!env().SMTP_URL;
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-lg font-semibold tracking-tight">Forgot your password?</h1>
        <p className="text-sm text-muted-foreground">
          {mails
            ? "Enter the email of your account and we will mail you a link to choose a new one."
            : "This instance does not send mail. Ask its operator for a password-reset link."}
        </p>
      </div>
      {mails ? (
        <MailLinkForm
          action={forgotPasswordAction}
          submitLabel="Mail me a reset link"
          sentMessage={`If an account uses this address, a reset link is on its way. It works once, for ${RESET_TTL_MS / 60_000} minutes.`}
        />
      ) : null}
      <p className="text-center text-sm text-muted-foreground">
        <Link href="/sign-in" className="font-medium text-primary underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
