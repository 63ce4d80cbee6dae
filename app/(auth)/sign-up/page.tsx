import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { OAuthButtons } from "@/app/_components/auth/oauth-buttons";
import { SignUpForm } from "@/app/_components/auth/sign-up-form";
import { currentUser } from "@/lib/auth";
import { HOME_PATH, safeCallbackPath } from "@/lib/auth/paths";
import { oauthProviderInfo } from "@/lib/auth/providers";
import { adminExists } from "@/lib/operator/accounts";
import { readInstanceSettings } from "@/lib/operator/settings";
import { parseToken } from "@/lib/tokens";

export const metadata: Metadata = { title: "Create account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await currentUser()) redirect(HOME_PATH);
  const invite = parseToken(params.invite) ?? undefined;
  const [{ registration }, hasAdmin] = await Promise.all([readInstanceSettings(), adminExists()]);
  const formShown = registration === "open" || !!invite;
  const signInHref =
    callbackUrl === HOME_PATH ? "/sign-in" : `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`;

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-lg font-semibold tracking-tight">Create your account</h1>
        <p className="text-sm text-muted-foreground">
          Bring a key from OpenAI, Groq or Google. It is encrypted and never shown again.
        </p>
      </div>
      {hasAdmin ? null : (
        <p
          role="note"
          data-testid="first-admin-note"
          className="rounded-lg border border-border bg-muted/50 p-3 text-sm"
        >
          This instance has no admin yet: the first account created becomes its admin.
        </p>
      )}
      {formShown ? (
        <>
          <OAuthButtons providers={oauthProviderInfo()} callbackUrl={callbackUrl} invite={invite} />
          <SignUpForm invite={invite} />
        </>
      ) : (
        <p
          role="alert"
          data-testid="registration-closed"
          className="rounded-lg border border-border p-3 text-sm"
        >
          {registration === "closed"
            ? "Registration is closed on this instance. Ask its operator for an account."
            : "Registration on this instance is by invitation. Open the invite link you were sent."}
        </p>
      )}
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link href={signInHref} className="font-medium text-primary-ink underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
