import type { AdminResult } from "./types";

/** What the last admin action answered; a link (invite, reset) is shown once, to be copied. */
/** `seq` counts the answers, so a test can tell a new one from an identical earlier one. */
export function ResultLine({ result, seq }: { result: AdminResult | null; seq: number }) {
  if (!result) return null;
  return (
    <div
      role={result.ok ? "status" : "alert"}
      data-testid="admin-result"
      data-seq={seq}
      className={`rounded-lg border p-3 text-sm ${result.ok ? "border-border" : "border-destructive/40 text-destructive"}`}
    >
      <p>{result.message}</p>
      {result.ok && result.link ? (
        <input
          readOnly
          aria-label="Link"
          data-testid="admin-link"
          value={result.link}
          onFocus={(e) => e.currentTarget.select()}
          className="mt-2 block w-full rounded-md border border-input bg-background px-2 py-1 font-mono text-xs"
        />
      ) : null}
    </div>
  );
}
