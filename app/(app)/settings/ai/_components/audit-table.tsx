import Link from "next/link";
import { getProvider, isProviderId } from "@/lib/ai/registry";
import type { AuditEventDto } from "@/lib/keys/audit";
import { LocalTime } from "./local-time";
import { link } from "./styles";

const ACTIONS: Record<string, string> = {
  "key.added": "Key added",
  "key.replaced": "Key replaced",
  "key.tested": "Key tested",
  "key.enabled": "Personal key on",
  "key.disabled": "Personal key off",
  "key.removed": "Key removed",
  "key.renamed": "Key renamed",
  "key.reordered": "Key order changed",
  "key.failover": "Next key took over",
  "key.needs_reentry": "Key unreadable",
  "token.created": "API token created",
  "token.revoked": "API token revoked",
  "api.completion": "API request",
  "limits.changed": "Spending limits changed",
};

const RESULTS: Record<string, string> = {
  valid: "valid",
  invalid_key: "invalid key",
  no_credit: "no credit",
  rate_limited: "rate limited",
  model_not_allowed: "model not allowed",
  unreachable: "unreachable",
};

function actionText(e: AuditEventDto): string {
  const base = ACTIONS[e.action] ?? e.action;
  const d = e.detail;
  if (e.action.startsWith("token.") && typeof d?.name === "string") return `${base}: ${d.name}`;
  if (e.action === "api.completion" && typeof d?.token === "string") {
    const outcome = d.status === "complete" ? "" : ` (${typeof d.code === "string" ? d.code : d.status})`;
    return `${base}: ${d.model} via “${d.token}”${outcome}`;
  }
  // A key skipped for its own spending limit (no call on it), not refused by the provider.
  if (e.action === "key.failover" && d?.reason === "key_limit")
    return `${base}: key at its own spending limit`;
  const result = typeof e.detail?.result === "string" ? RESULTS[e.detail.result] : undefined;
  if (!result) return base;
  return `${base}: ${result}${e.detail?.saved === false ? " (typed key)" : ""}`;
}

const cell = "px-3 py-2 align-top";

export function AuditTable({ items, nextCursor }: { items: AuditEventDto[]; nextCursor: string | null }) {
  if (items.length === 0)
    return <p className="text-sm text-muted-foreground">Nothing yet. Changes to your keys appear here.</p>;
  return (
    <div className="space-y-3">
      {/* Wider than a phone: focusable so the keyboard can scroll it sideways. */}
      <section
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus (WCAG 2.1.1)
        tabIndex={0}
        aria-label="Activity"
        className="overflow-x-auto rounded-xl border border-border"
      >
        <table className="w-full min-w-[640px] text-left text-sm">
          <thead className="bg-muted/60 text-xs text-muted-foreground">
            <tr>
              {["Time", "Action", "Provider", "Last 4", "IP", "User agent"].map((h) => (
                <th key={h} scope="col" className={`${cell} whitespace-nowrap font-medium`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {items.map((e) => (
              <tr key={e.id}>
                <td className={`${cell} whitespace-nowrap text-xs`}>
                  <LocalTime iso={e.createdAt} />
                </td>
                <td className={`${cell} min-w-[10rem]`}>{actionText(e)}</td>
                <td className={cell}>
                  {e.provider && isProviderId(e.provider)
                    ? getProvider(e.provider).label
                    : (e.provider ?? "—")}
                </td>
                <td className={`${cell} whitespace-nowrap font-mono text-xs`}>
                  {e.last4 ? `…${e.last4}` : "—"}
                </td>
                <td className={`${cell} font-mono text-xs`}>{e.ip ?? "—"}</td>
                <td
                  className={`${cell} max-w-[12rem] truncate text-xs text-muted-foreground`}
                  title={e.userAgent ?? undefined}
                >
                  {e.userAgent ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {nextCursor ? (
        <Link
          href={`?activity=${encodeURIComponent(nextCursor)}#activity`}
          className={`${link} text-sm`}
          scroll={false}
        >
          Show older activity
        </Link>
      ) : null}
    </div>
  );
}
