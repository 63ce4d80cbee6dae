import type { Metadata } from "next";
import Link from "next/link";
import { MailLinkForm } from "@/app/_components/auth/mail-link-form";
import { verificationLinkUsable } from "@/lib/account/sign-up";
import { env } from "@/lib/env";
import { parseToken } from "@/lib/tokens";
import { resendVerificationAction } from "./actions";
import { ConfirmForm } from "./confirm-form";

export const metadata: Metadata = { title: "Confirm your email", referrer: "no-referrer" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// Public: where sign-up leads when SMTP_URL is set ("check your inbox", ?sent=1), where the
// mailed link lands (?token=…, confirmed by a button), and where a lost link is sent again.
export default async function VerifyEmailPage({ searchParams }: Props) {
  const params = await searchParams;
  const token = parseToken(params.token);
  const usable = token ? await verificationLinkUsable(token) : false;
  const mails = !!env().SMTP_URL;

  return (
    <div className="space-y-6">
      <h1 className="text-lg font-semibold tracking-tight">
        {token && usable ? "Confirm your email" : params.sent ? "Check your inbox" : "Confirm your email"}
      </h1>
      {token && usable ? (
        <>
          <p className="text-sm text-muted-foreground">One click and your account is ready to sign in.</p>
          <ConfirmForm token={token} />
        </>
      ) : (
        <>
          {token ? (
            <p role="alert" data-testid="verify-invalid" className="text-sm">
              This confirmation link is not valid: it was used already, has expired or does not exist.
            </p>
          ) : null}
          {params.sent ? (
            <p role="status" data-testid="check-inbox" className="text-sm">
              We sent a mail to the address you entered. Open the link in it to continue.
            </p>
          ) : null}
          {mails ? (
            <>
              <p className="text-sm text-muted-foreground">No mail? Send the confirmation link again.</p>
              <MailLinkForm
                action={resendVerificationAction}
                submitLabel="Send the link again"
                sentMessage="If this address has an account waiting for confirmation, a new link is on its way."
              />
            </>
          ) : null}
        </>
      )}
      <p className="text-center text-sm text-muted-foreground">
        <Link href="/sign-in" className="font-medium text-primary underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
