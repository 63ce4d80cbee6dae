import { Download } from "lucide-react";
import { button, card } from "@/app/(app)/settings/ai/_components/styles";

/** A plain download link: GET /api/me/export answers with an attachment. */
export function ExportSection() {
  return (
    <section aria-labelledby="export-title" className={card}>
      <h2 id="export-title" className="text-base font-semibold">
        Export my data
      </h2>
      <p className="mt-1 text-sm text-muted-foreground">
        One JSON file with your profile, chats and their messages, usage, activity log, settings and the list
        of your saved keys as AI settings shows them (provider, label, the masked preview). Keys themselves
        are never exported.
      </p>
      <a href="/api/me/export" download className={`${button.base} ${button.secondary} mt-3`}>
        <Download className="size-4" aria-hidden />
        Download my data (JSON)
      </a>
    </section>
  );
}
