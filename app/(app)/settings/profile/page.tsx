import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { hasPassword } from "@/lib/auth/password-change";
import { listSessions } from "@/lib/auth/sessions";
import { PasswordSection } from "./_components/password-section";
import { type SessionRow, SessionsSection } from "./_components/sessions-section";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const user = await requireUser("/settings/profile");
  const [withPassword, sessions] = await Promise.all([hasPassword(user.id), listSessions(user.id)]);
  const rows: SessionRow[] = sessions.map((s) => ({
    id: s.id,
    device: s.device,
    ip: s.ip,
    lastSeenAt: s.lastSeenAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
    current: s.id === user.sid,
  }));

  return (
    <div className="mx-auto w-full max-w-3xl space-y-8 px-4 py-8 sm:px-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Profile</h1>
        <p className="text-[15px] text-muted-foreground">
          Your password and the devices signed in to your account.
        </p>
      </header>
      <PasswordSection hasPassword={withPassword} />
      <SessionsSection sessions={rows} />
    </div>
  );
}
