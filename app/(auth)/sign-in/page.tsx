import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { OAuthButtons } from "@/app/_components/auth/oauth-buttons";
import { SignInForm } from "@/app/_components/auth/sign-in-form";
import { FormAlert } from "@/app/_components/auth/submit-button";
import { currentUser } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/auth/paths";
import { oauthProviderInfo } from "@/lib/auth/providers";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };

// Auth.js redirects here with ?error=<type> when an OAuth sign-in fails.
const OAUTH_ERRORS: Record<string, string> = {
  OAuthAccountNotLinked: "An account with this email already exists. Sign in with your password to use it.",
  OAuthNoEmail: "Your provider did not share an email address, so no account could be created.",
  RegistrationClosed:
    "No account could be created: registration on this instance is closed or by invitation only.",
  AccountDisabled: "This account has been disabled by the operator of this instance.",
  AccessDenied: "Sign-in was cancelled or refused.",
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const error = typeof params.error === "string" ? params.error : undefined;
  const errorMessage = error ? (OAUTH_ERRORS[error] ?? "Sign-in failed. Try again.") : undefined;
  const notice =
    params.notice === "signed-up"
      ? "Thanks. Now sign in with your email and password to continue."
      : params.notice === "verified"
        ? "Your email is confirmed. Sign in to continue."
        : null;
  const signUpHref =
    callbackUrl === "/chat" ? "/sign-up" : `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-lg font-semibold tracking-tight">Sign in</h1>
        <p className="text-sm text-muted-foreground">Welcome back. Sign in to continue your chats.</p>
      </div>
      {notice ? (
        <p role="status" className="rounded-md border bg-muted/40 px-3 py-2 text-sm">
          {notice}
        </p>
      ) : null}
      {errorMessage ? <FormAlert message={errorMessage} /> : null}
      <OAuthButtons providers={oauthProviderInfo()} callbackUrl={callbackUrl} />
      <SignInForm callbackUrl={callbackUrl} mailLinks={!!env().SMTP_URL} />
      <p className="text-center text-sm text-muted-foreground">
        New here?{" "}
        <Link href={signUpHref} className="font-medium text-primary-ink underline-offset-4 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
