import type { Metadata } from "next";
import Link from "next/link";
import { FORGOT_PASSWORD_PATH } from "@/lib/auth/paths";
import { env } from "@/lib/env";
import { resetLinkUsable } from "@/lib/operator/reset";
import { parseToken } from "@/lib/tokens";
import { ResetForm } from "./reset-form";

export const metadata: Metadata = { title: "Reset password", referrer: "no-referrer" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ResetPasswordPage({ searchParams }: Props) {
  const token = parseToken((await searchParams).token);
  const usable = token ? await resetLinkUsable(token) : false;
  return (
    <div className="space-y-6">
      <h1 className="text-lg font-semibold tracking-tight">Choose a new password</h1>
      {token && usable ? (
        <ResetForm token={token} />
      ) : (
        <p role="alert" data-testid="reset-invalid" className="text-sm">
          This reset link is not valid: it was used already, has expired or does not exist.{" "}
          {env().SMTP_URL ? (
            <Link
              href={FORGOT_PASSWORD_PATH}
              className="font-medium text-primary underline-offset-4 hover:underline"
            >
              Ask for a new one
            </Link>
          ) : (
            "Ask the operator of this instance for a new one."
          )}
        </p>
      )}
    </div>
  );
}
