import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { activeAdmin } from "@/lib/operator/admin";
import { readInstanceSettings } from "@/lib/operator/settings";
import { listUsersForAdmin } from "@/lib/operator/users";
import { SettingsForm } from "./_components/settings-form";
import { UsersTable } from "./_components/users-table";

export const metadata: Metadata = { title: "Admin" };

// For active admins only (a database read on every render); everyone else gets the 404 page.
export default async function AdminPage() {
  const user = await requireUser("/admin");
  if (!(await activeAdmin(user.id))) notFound();
  const [rows, settings] = await Promise.all([listUsersForAdmin(), readInstanceSettings()]);
  return (
    <div className="mx-auto w-full max-w-6xl space-y-8 px-4 py-8 sm:px-6">
      <header className="space-y-1">
        <h1 className="text-xl font-semibold tracking-tight">Admin</h1>
        <p className="text-sm text-muted-foreground">
          Every action here is checked on the server and recorded in your activity log.
        </p>
      </header>
      <section className="space-y-3" aria-labelledby="settings-h" data-testid="admin-settings-section">
        <h2 id="settings-h" className="text-base font-semibold">
          Registration and shared keys
        </h2>
        <SettingsForm settings={settings} />
      </section>
      <section className="space-y-3" aria-labelledby="users-h" data-testid="admin-users-section">
        <h2 id="users-h" className="text-base font-semibold">
          Users ({rows.length})
        </h2>
        <UsersTable rows={rows} selfId={user.id} allowList={settings.systemKeyAccess === "allow-list"} />
      </section>
    </div>
  );
}
