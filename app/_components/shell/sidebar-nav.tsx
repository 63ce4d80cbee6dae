"use client";

import { KeyRound, ShieldCheck, SquarePen, UserRound } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  // Opens an empty chat; the chats themselves are in the history below.
  { href: "/chat", label: "New chat", icon: SquarePen, exact: true },
  { href: "/settings/ai", label: "AI settings", icon: KeyRound },
  { href: "/settings/profile", label: "Profile", icon: UserRound },
];
const ADMIN_LINK = { href: "/admin", label: "Admin", icon: ShieldCheck };

export function SidebarNav({ admin = false }: { admin?: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="px-2">
      <ul className="space-y-0.5">
        {(admin ? [...LINKS, ADMIN_LINK] : LINKS).map(({ href, label, icon: Icon, ...rest }) => {
          const exact = "exact" in rest && rest.exact;
          const active = pathname === href || (!exact && pathname.startsWith(`${href}/`));
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`flex h-9 items-center gap-2.5 rounded-lg px-3 text-sm transition-colors ${
                  active
                    ? "bg-muted font-medium text-foreground"
                    : "text-muted-foreground hover:bg-muted/70 hover:text-foreground"
                }`}
              >
                <Icon className={`size-4 ${active ? "text-primary-ink" : ""}`} aria-hidden />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
