import { AppError } from "@/lib/errors";

// What a call that must fail failed with: the AppError (its code, message, issues), or a test
// failure when it resolved or threw something else.

export async function failure(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

/** The AppError's code. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  return (await failure(p)).code;
}
