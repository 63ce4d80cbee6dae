import { ChevronRight, ExternalLink } from "lucide-react";
import type { ProviderInfo } from "@/lib/ai/registry";
import { link } from "./styles";

export function SetupGuide({ info }: { info: ProviderInfo }) {
  const { guide } = info;
  return (
    <details className="group rounded-lg border border-border bg-muted/40 px-3 py-2 text-sm">
      <summary className="flex cursor-pointer list-none items-center gap-1.5 font-medium marker:hidden [&::-webkit-details-marker]:hidden">
        <ChevronRight className="size-4 transition-transform group-open:rotate-90" aria-hidden />
        {info.requiresBaseUrl
          ? "How to connect an OpenAI-compatible service"
          : `How to get your ${info.label} key`}
      </summary>
      <div className="mt-2 space-y-2 pb-1 pl-5.5 text-muted-foreground">
        <ol className="list-decimal space-y-1 pl-4">
          {guide.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <p>
          <span className="font-medium text-foreground">Free tier: </span>
          {guide.freeTier}
        </p>
        <p className="flex flex-wrap gap-x-4 gap-y-1">
          <a
            href={guide.keyUrl}
            target="_blank"
            rel="noreferrer noopener"
            className={`${link} inline-flex items-center gap-1`}
          >
            {info.id === "compatible" ? "API reference" : "Create a key"}
            <ExternalLink className="size-3" aria-hidden />
          </a>
          {guide.billingUrl !== guide.keyUrl ? (
            <a
              href={guide.billingUrl}
              target="_blank"
              rel="noreferrer noopener"
              className={`${link} inline-flex items-center gap-1`}
            >
              Billing and limits
              <ExternalLink className="size-3" aria-hidden />
            </a>
          ) : null}
        </p>
        <p className="text-xs">Test makes a tiny real request (a few tokens on your key).</p>
      </div>
    </details>
  );
}
