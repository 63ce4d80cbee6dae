import type { ReactNode } from "react";
import { AppShell } from "@/app/_components/shell/app-shell";
import { ChatHistory } from "@/app/(app)/_components/chat-history";
import { requireUser } from "@/lib/auth";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <AppShell user={{ email: user.email, name: user.name }} history={<ChatHistory />}>
      {children}
    </AppShell>
  );
}
