import { z } from "zod";

// Text that can be stored: PostgreSQL's text type refuses U+0000 (NUL), and a lone UTF-16
// surrogate has no UTF-8 form (the driver and JSON.stringify turn it into U+FFFD or fail), so
// either one accepted at the door surfaces later as a 500 or as a reply that is never stored.
// Every other character is kept, control characters included: pasted terminal output carries
// escape codes (ESC, BEL) that users expect back as they sent them.

export const UNSTORABLE_TEXT_MESSAGE =
  "The text contains a character that cannot be stored (a NUL or a broken Unicode character). Remove it and try again.";

/** False for a string with a NUL or a lone surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && s.isWellFormed();
}

/**
 * z.string() that refuses NUL and lone surrogates (400 VALIDATION_FAILED through validationError).
 * Every text field of a route handler or server action starts here, never at z.string():
 * lib/text.test.ts fails on a z.string( anywhere else under app/ or lib/.
 */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE, abort: true });
}
