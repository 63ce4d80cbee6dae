import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { OAuthButtons } from "@/app/_components/auth/oauth-buttons";
import { SignUpForm } from "@/app/_components/auth/sign-up-form";
import { currentUser } from "@/lib/auth";
import { HOME_PATH, safeCallbackPath } from "@/lib/auth/paths";
import { oauthProviderInfo } from "@/lib/auth/providers";

export const metadata: Metadata = { title: "Create account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: Props) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await currentUser()) redirect(HOME_PATH);
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
      <OAuthButtons providers={oauthProviderInfo()} callbackUrl={callbackUrl} />
      <SignUpForm />
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link href={signInHref} className="font-medium text-primary underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
