import { KeyRound } from "lucide-react";

export function LogoMark({ className = "size-8" }: { className?: string }) {
  return (
    <span
      aria-hidden
      className={`inline-grid shrink-0 place-items-center rounded-lg bg-primary text-primary-foreground shadow-sm ${className}`}
    >
      <KeyRound className="size-[55%]" strokeWidth={2.25} />
    </span>
  );
}
