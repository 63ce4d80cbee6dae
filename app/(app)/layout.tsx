import type { ReactNode } from "react";
import { AppShell } from "@/app/_components/shell/app-shell";
import { ChatHistory } from "@/app/(app)/_components/chat-history";
import { requireUser } from "@/lib/auth";
import { activeAdmin } from "@/lib/operator/admin";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const isAdmin = !!(await activeAdmin(user.id));
  return (
    <AppShell user={{ email: user.email, name: user.name, isAdmin }} history={<ChatHistory />}>
      {children}
    </AppShell>
  );
}
