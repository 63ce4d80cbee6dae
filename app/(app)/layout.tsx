import type { ReactNode } from "react";
import { AppShell } from "@/app/_components/shell/app-shell";
import { ChatHistory } from "@/app/(app)/_components/chat-history";
import { accountHeader } from "@/lib/account/profile";
import { requireUser } from "@/lib/auth";
import { activeAdmin } from "@/lib/operator/admin";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  // The name and email as they are now (the profile page changes them; the session keeps its copy).
  const current = (await accountHeader(user.id)) ?? user;
  const isAdmin = !!(await activeAdmin(user.id));
  return (
    <AppShell user={{ email: current.email, name: current.name, isAdmin }} history={<ChatHistory />}>
      {children}
    </AppShell>
  );
}
