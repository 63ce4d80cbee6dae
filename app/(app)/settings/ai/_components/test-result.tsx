import { CircleAlert, CircleCheck, ExternalLink } from "lucide-react";
import type { ReactNode } from "react";
import type { ProviderInfo } from "@/lib/ai/registry";
import { ACTION_LABELS } from "@/lib/ai/verdict";
import { link } from "./styles";
import type { KeyTestReport } from "./types";

export type TestView = { report: KeyTestReport } | { error: string } | { note: string };

function explain(
  report: KeyTestReport,
  info: ProviderInfo,
): { ok: boolean; text: string; href?: string; cta?: string } {
  const ms = `${report.ms} ms`;
  if (report.result === "valid") return { ok: true, text: `Valid: ${info.label} answered in ${ms}.` };
  // The chat's words and button for the same provider answer (lib/ai/verdict.ts).
  const v = report.verdict;
  if (!v) return { ok: false, text: `The test failed (${ms}).` };
  const text = `${v.message} (${ms})`;
  switch (v.action) {
    case "update_key":
    case "add_key":
      return { ok: false, text, href: info.guide.keyUrl, cta: ACTION_LABELS[v.action] };
    case "check_billing":
      return { ok: false, text, href: info.guide.billingUrl, cta: ACTION_LABELS.check_billing };
    default:
      return { ok: false, text };
  }
}

/** Always rendered, so screen readers announce each new result in the live region. */
export function TestResult({ view, info }: { view: TestView | null; info: ProviderInfo }) {
  let body: ReactNode = null;
  if (view && "report" in view) {
    const d = explain(view.report, info);
    const Icon = d.ok ? CircleCheck : CircleAlert;
    body = (
      <p className={`flex items-start gap-2 text-sm ${d.ok ? "text-success" : "text-destructive"}`}>
        <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>
          {view.report.tested === "supplied" ? "Typed key (not saved): " : ""}
          {d.text}
          {d.href ? (
            <>
              {" "}
              <a
                href={d.href}
                target="_blank"
                rel="noreferrer noopener"
                className={`${link} inline-flex items-center gap-1`}
              >
                {d.cta}
                <ExternalLink className="size-3" aria-hidden />
              </a>
            </>
          ) : null}
        </span>
      </p>
    );
  } else if (view && "error" in view) {
    body = (
      <p className="flex items-start gap-2 text-sm text-destructive">
        <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>{view.error}</span>
      </p>
    );
  } else if (view) {
    body = <p className="text-sm text-muted-foreground">{view.note}</p>;
  }
  return (
    <div role="status" aria-live="polite" className="empty:hidden">
      {body}
    </div>
  );
}
