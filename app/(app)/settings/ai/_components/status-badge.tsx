import type { KeyDisplayStatus } from "@/lib/keys/policy";

const STYLES: Record<KeyDisplayStatus, { label: string; tone: keyof typeof TONES }> = {
  not_set: { label: "Not set", tone: "muted" },
  untested: { label: "Untested", tone: "muted" },
  active: { label: "Active", tone: "success" },
  invalid: { label: "Invalid", tone: "danger" },
  no_credit: { label: "No credit", tone: "warning" },
  rate_limited: { label: "Rate limited", tone: "warning" },
  model_not_allowed: { label: "Model not allowed", tone: "warning" },
  unreachable: { label: "Unreachable", tone: "warning" },
  needs_reentry: { label: "Needs re-entry", tone: "danger" },
  disabled: { label: "Disabled", tone: "muted" },
};

const TONES = {
  muted: "border-border bg-muted text-muted-foreground",
  success: "border-success/30 bg-success/10 text-success",
  warning: "border-warning/30 bg-warning/10 text-warning",
  danger: "border-destructive/30 bg-destructive-soft text-destructive",
};

const DOT = {
  muted: "bg-muted-foreground/60",
  success: "bg-success",
  warning: "bg-warning",
  danger: "bg-destructive",
};

export function StatusBadge({ status }: { status: KeyDisplayStatus }) {
  const { label, tone } = STYLES[status];
  return (
    <span
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium ${TONES[tone]}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${DOT[tone]}`} />
      <span data-testid="key-status">{label}</span>
    </span>
  );
}
