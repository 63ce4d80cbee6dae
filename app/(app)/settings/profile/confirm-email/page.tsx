import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { ConfirmEmail } from "./confirm-email";

export const metadata: Metadata = { title: "Confirm your new email" };

type Props = { searchParams: Promise<{ token?: string | string[] }> };

// The link mailed for an email change lands here. Opening it changes nothing (mail scanners
// follow links): the signed-in owner confirms with a button, which runs a server action.
export default async function ConfirmEmailPage({ searchParams }: Props) {
  const { token } = await searchParams;
  const value = typeof token === "string" ? token : "";
  await requireUser(`/settings/profile/confirm-email?token=${encodeURIComponent(value)}`);
  return (
    <div className="mx-auto w-full max-w-xl space-y-4 px-4 py-8 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight">Confirm your new email</h1>
      <ConfirmEmail token={value} />
    </div>
  );
}
