import type { Metadata } from "next";
import { signOutAction } from "@/app/(auth)/actions";

export const metadata: Metadata = { title: "Account disabled" };

// Where requireUser sends a session whose account was disabled or deleted.
export default function AccountDisabledPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold tracking-tight">This account cannot be used</h1>
      <p className="text-sm text-muted-foreground" data-testid="account-disabled">
        It was disabled or deleted by the operator of this instance. Ask them if you think this is a mistake.
      </p>
      <form action={signOutAction}>
        <button
          type="submit"
          className="inline-flex h-10 w-full items-center justify-center rounded-lg border border-input px-4 text-sm font-medium hover:bg-muted"
        >
          Sign out
        </button>
      </form>
    </div>
  );
}
