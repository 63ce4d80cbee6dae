import { isProviderId, PROVIDERS } from "@/lib/ai/registry";
import { formatMicros, type UsageTotals, usageSummary } from "@/lib/chat/usage";

// "Usage" on the AI settings page: tokens and estimated cost per provider, today and over the
// last 30 days. A server component: pass the signed-in user's id.

const label = (p: string) => (isProviderId(p) ? PROVIDERS[p].label : p);

function Cell({ u }: { u: UsageTotals }) {
  return (
    <td className="px-3 py-2 align-top tabular-nums">
      <div className="font-medium">{formatMicros(u.costMicros)}</div>
      <div className="text-xs text-muted-foreground">
        {u.requests.toLocaleString()} {u.requests === 1 ? "reply" : "replies"} ·{" "}
        {(u.inputTokens + u.outputTokens).toLocaleString()} tokens
      </div>
    </td>
  );
}

export async function UsageSection({ userId }: { userId: string }) {
  const summary = await usageSummary(userId);
  return (
    <section aria-labelledby="usage-title" className="space-y-3">
      <div>
        <h2 id="usage-title" className="text-base font-semibold tracking-tight">
          Usage
        </h2>
        <p className="text-sm text-muted-foreground">
          Tokens your chats used and what they cost at the providers’ list prices (an estimate; your
          provider’s bill is authoritative). Days are UTC.
        </p>
      </div>
      {summary.providers.length === 0 ? (
        <p className="rounded-xl border border-dashed border-border px-4 py-6 text-center text-sm text-muted-foreground">
          No usage in the last 30 days.
        </p>
      ) : (
        <section
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus (WCAG 2.1.1)
          tabIndex={0}
          aria-label="Usage by provider"
          className="overflow-x-auto rounded-xl border border-border bg-card shadow-xs"
        >
          <table className="w-full text-left text-sm">
            <thead className="border-b border-border text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Provider
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Today
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Last 30 days
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {summary.providers.map((p) => (
                <tr key={p.provider}>
                  <th scope="row" className="px-3 py-2 align-top font-medium">
                    {label(p.provider)}
                  </th>
                  <Cell u={p.today} />
                  <Cell u={p.last30Days} />
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
