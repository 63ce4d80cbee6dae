// No imports: proxy.ts runs it before Next decodes a server action's arguments.
//
// A server action called with a text body carries its arguments as React's reply encoding: a
// JSON array whose strings may be "$" references. Next answers a body that is not JSON, or a
// reference to a part a text body cannot have ("$Q1", "$@1", "$K1"), with a 500 and a stack
// trace in the log. Our own client never sends either: it escapes a typed "$" as "$$" and sends
// FormData arguments as multipart. So a text body must be a JSON array whose "$" strings are
// escapes or self-contained values; anything else is refused with a 400 before Next runs.

/** "$$…" (an escaped "$"), and values that reference no other part. */
const SELF_CONTAINED = /^\$(\$|undefined$|D|n-?\d+$|-0$|Infinity$|-Infinity$|NaN$)/;

function referencesOtherParts(v: unknown): boolean {
  if (typeof v === "string") return v.startsWith("$") && !SELF_CONTAINED.test(v);
  if (Array.isArray(v)) return v.some(referencesOtherParts);
  if (v && typeof v === "object") return Object.values(v).some(referencesOtherParts);
  return false;
}

/** True when a text (non-multipart) server-action body cannot be a valid argument list. */
export function isMalformedActionText(body: string): boolean {
  let args: unknown;
  try {
    args = JSON.parse(body);
  } catch {
    return true;
  }
  return !Array.isArray(args) || referencesOtherParts(args);
}
