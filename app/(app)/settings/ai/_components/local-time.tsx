"use client";

import { useEffect, useState } from "react";

// Server and browser may sit in different time zones: render UTC first (identical on both, no
// hydration mismatch), then switch to the reader's own zone once mounted.

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function LocalTime({ iso, fallback = "—" }: { iso: string | null; fallback?: string }) {
  const [text, setText] = useState(() => (iso ? `${utc.format(new Date(iso))} UTC` : fallback));
  useEffect(() => {
    if (iso)
      setText(
        new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
      );
    else setText(fallback);
  }, [iso, fallback]);
  if (!iso) return <span className="text-muted-foreground">{fallback}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}
