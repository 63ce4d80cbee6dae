import { CircleAlert, CircleCheck, ExternalLink } from "lucide-react";
import type { ReactNode } from "react";
import type { ProviderInfo } from "@/lib/ai/registry";
import { link } from "./styles";
import type { KeyTestReport } from "./types";

export type TestView = { report: KeyTestReport } | { error: string } | { note: string };

function explain(
  report: KeyTestReport,
  info: ProviderInfo,
): { ok: boolean; text: string; href?: string; cta?: string } {
  const ms = `${report.ms} ms`;
  switch (report.result) {
    case "valid":
      return { ok: true, text: `Valid: ${info.label} answered in ${ms}.` };
    case "invalid_key":
      return {
        ok: false,
        text: `Invalid key: ${info.label} rejected it (${ms}).`,
        href: info.guide.keyUrl,
        cta: "Create a new key",
      };
    case "no_credit":
      return {
        ok: false,
        text: `No credit: the key works but has no credit or quota left (${ms}).`,
        href: info.guide.billingUrl,
        cta: "Check billing",
      };
    case "rate_limited":
      return {
        ok: false,
        text: `Rate limited: the key works but is over its limit right now${report.retryAfter ? `; try again in ${report.retryAfter} s` : ""} (${ms}).`,
        href: info.guide.billingUrl,
        cta: "See limits",
      };
    case "model_not_allowed":
      return {
        ok: false,
        text: `The key works but may not use ${info.defaultModel ?? "the test model"} (${ms}).`,
      };
    default:
      return {
        ok: false,
        text: `Unreachable: no answer from ${info.requiresBaseUrl ? "the base URL" : info.label} (${ms}). Check the address or try again.`,
      };
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
