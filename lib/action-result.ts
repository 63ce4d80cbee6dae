import { headers } from "next/headers";
import { clientIp } from "@/lib/client-ip";
import { knownDatabaseError } from "@/lib/db/known-errors";
import { type AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { requestIdFrom, withRequestId } from "@/lib/request-id";

// What a server action hands back when it refuses or fails: the AppError's code and message,
// field errors from VALIDATION_FAILED issues, Retry-After — never a stack or raw input. Every
// action file maps errors through here, so the shape and the logging are the same everywhere.

export type ActionError = {
  ok: false;
  code: string;
  message: string;
  /** Field → message, from VALIDATION_FAILED issues. */
  fieldErrors?: Record<string, string>;
  retryAfter?: number;
  /** INTERNAL: the id on the server's log line for this request. */
  requestId?: string;
};

/** An AppError as an action result. */
export function refusal(e: AppError): ActionError {
  const fieldErrors: Record<string, string> = {};
  for (const i of e.issues ?? []) fieldErrors[i.path || "form"] ??= i.message;
  return {
    ok: false,
    code: e.code,
    message: e.message,
    ...(Object.keys(fieldErrors).length ? { fieldErrors } : {}),
    ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
  };
}

/** A thrown error as an action result: AppErrors as they are, anything else logged (its type, under the request's id) and answered INTERNAL. */
export async function actionFailure(
  e: unknown,
  event: string,
  fields: Record<string, unknown> = {},
): Promise<ActionError> {
  if (isAppError(e)) return refusal(e);
  const known = knownDatabaseError(e);
  if (known) return refusal(known);
  const requestId = requestIdFrom(await headers());
  withRequestId(requestId, () => log.error(event, { ...fields, error: e }));
  return { ok: false, code: "INTERNAL", message: "Something went wrong on our side. Try again.", requestId };
}

/** Who is asking, for the audit log: the client address (lib/client-ip.ts) and user agent. */
export async function requestContext(): Promise<{ ip: string | null; userAgent: string | null }> {
  const h = await headers();
  return { ip: clientIp(h), userAgent: h.get("user-agent") };
}
