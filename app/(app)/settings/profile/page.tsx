import type { Metadata } from "next";
import { getProfile } from "@/lib/account/profile";
import { requireUser } from "@/lib/auth";
import { listSessions } from "@/lib/auth/sessions";
import { env } from "@/lib/env";
import { DeleteSection } from "./_components/delete-section";
import { EmailSection } from "./_components/email-section";
import { ExportSection } from "./_components/export-section";
import { NameSection } from "./_components/name-section";
import { PasswordSection } from "./_components/password-section";
import { type SessionRow, SessionsSection } from "./_components/sessions-section";

export const metadata: Metadata = { title: "Profile" };

const PATH = "/settings/profile";

export default async function ProfilePage() {
  const user = await requireUser(PATH);
  const [profile, sessions] = await Promise.all([getProfile(user.id), listSessions(user.id)]);
  const confirmsByMail = Boolean(env().SMTP_URL);
  const rows: SessionRow[] = sessions.map((s) => ({
    id: s.id,
    device: s.device,
    ip: s.ip,
    lastSeenAt: s.lastSeenAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
    current: s.id === user.sid,
  }));

  return (
    <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-8 sm:px-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Profile</h1>
        <p className="text-[15px] text-muted-foreground">
          Your name, email and password, the devices signed in to your account, your data, and your account.
        </p>
      </header>
      <NameSection name={profile.name} />
      <EmailSection
        email={profile.email}
        hasPassword={profile.hasPassword}
        confirmsByMail={confirmsByMail}
        pendingEmail={profile.pendingEmail}
      />
      <PasswordSection hasPassword={profile.hasPassword} />
      <SessionsSection sessions={rows} />
      <ExportSection />
      <DeleteSection hasPassword={profile.hasPassword} />
    </div>
  );
}
