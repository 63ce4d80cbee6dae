import type { ReactNode } from "react";
import { LocalTime } from "./local-time";
import type { KeyDto } from "./types";

/** The saved key's masked preview and its dates; never more than the public prefix and last 4. */
export function KeyDetails({ dto }: { dto: KeyDto }) {
  if (!dto.hasKey) return null;
  const rows: [string, ReactNode][] = [
    ["Added", <LocalTime key="a" iso={dto.createdAt} />],
    ["Updated", <LocalTime key="u" iso={dto.updatedAt} />],
    ["Last used", <LocalTime key="l" iso={dto.lastUsedAt} fallback="Never" />],
    [
      "Last tested",
      <span key="t">
        <LocalTime iso={dto.lastTestedAt} fallback="Never" />
        {dto.lastTestMs !== null && dto.lastTestedAt ? (
          <span className="text-muted-foreground"> · {dto.lastTestMs} ms</span>
        ) : null}
      </span>,
    ],
  ];
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span className="text-muted-foreground">Saved key</span>
        <code data-testid="key-preview" className="rounded-md bg-muted px-2 py-0.5 font-mono text-[13px]">
          {dto.preview}
        </code>
        {dto.label ? <span className="font-medium">{dto.label}</span> : null}
        {dto.baseUrl ? (
          <span className="break-all font-mono text-xs text-muted-foreground">{dto.baseUrl}</span>
        ) : null}
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
        {rows.map(([term, value]) => (
          <div key={term} className="min-w-0">
            <dt className="text-xs text-muted-foreground">{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
