"use client";

import type { ProviderInfo } from "@/lib/ai/registry";
import { KeyList } from "./key-list";
import type { KeyDto } from "./types";

// A provider's further keys (OpenAI-compatible: its first endpoint's): tried in this order when
// the key above them is refused (invalid, out of credit, rate limited) before an answer starts.
// Each can be tested, switched off, moved, renamed or removed on its own; "Add another key"
// appends one.

export function MoreKeys({ info, first, others }: { info: ProviderInfo; first: KeyDto; others: KeyDto[] }) {
  const headingId = `${info.id}-more-title`;
  return (
    <section aria-labelledby={headingId} className="space-y-3 border-t border-border pt-4">
      <div>
        <h3 id={headingId} className="text-sm font-semibold">
          More {info.label} keys
        </h3>
        <p className="text-xs text-muted-foreground">
          When a key is refused before the answer starts (invalid, out of credit or rate limited), the chat
          tries the next one, in this order. The answer says which key answered.
        </p>
      </div>
      <KeyList
        info={info}
        first={first}
        others={others}
        idPrefix={`${info.id}-more`}
        listLabel={`More ${info.label} keys, in the order chats try them`}
        firstOf={`your first ${info.label} key`}
      />
    </section>
  );
}
