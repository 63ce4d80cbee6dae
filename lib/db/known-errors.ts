import { AppError } from "@/lib/errors";

// Prisma's "the row is gone" and "the row already exists" are answers about the request, not
// bugs: two requests racing on one row (a double-clicked Remove, two tabs) make one of them
// meet P2025 or P2002. One mapping for every route handler (lib/http.ts) and server action
// (lib/action-result.ts), so a race answers 404/409 instead of 500 wherever it happens.
// Read from the error's code, never its message (which can quote input).

/** P2025: "an operation failed because it depends on one or more records that were required but not found". */
const GONE = new Set(["P2025", "P2015", "P2018"]);
/** P2002 unique constraint; P2034 write conflict or deadlock, retry the transaction. */
const CONFLICT = new Set(["P2002", "P2034"]);

/** The AppError a known Prisma race error stands for, or undefined for anything else. */
export function knownDatabaseError(e: unknown): AppError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (GONE.has(code)) return new AppError("NOT_FOUND", "It no longer exists: another request removed it.");
  if (CONFLICT.has(code))
    return new AppError("CONFLICT", "Another request changed this at the same time. Try again.");
  return undefined;
}
