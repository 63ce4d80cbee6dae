import { ZodError } from "zod";
import { type TokenCaller, verifyApiToken } from "@/lib/api-tokens/tokens";
import { DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { AppError, isAppError, validationError } from "@/lib/errors";
import { errorType, log } from "@/lib/log";
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "@/lib/request-id";

// The /v1 counterpart of lib/http.ts's apiRoute: same request id, same no-store caching, but
// errors in OpenAI's shape ({ error: { message, type, code, param } }) so the OpenAI SDKs and the
// tools built on them show them, and no same-origin check: /v1 is called by scripts, never by a
// browser page, and is authenticated only by a bearer token (cookies are not read), so a forged
// cross-site request has nothing to ride on. No CORS headers either: browsers stay out.

/** OpenAI's error `type` for each status family. */
function errorTypeFor(err: AppError): string {
  if (err.code === "QUOTA_EXCEEDED" || err.code === "BUDGET_EXCEEDED") return "insufficient_quota";
  switch (v1Status(err)) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return err.status >= 500 ? "api_error" : "invalid_request_error";
  }
}

export function openAiErrorBody(err: AppError) {
  return {
    error: {
      message: err.message,
      type: errorTypeFor(err),
      code: err.code,
      param: err.issues?.[0]?.path || null,
    },
  };
}

export function toV1Error(e: unknown, req: Request): AppError {
  if (isAppError(e)) return e;
  if (e instanceof ZodError) return validationError(e);
  if (isDatabaseUnavailable(e)) {
    log.warn("v1.database_unavailable", { method: req.method, path: new URL(req.url).pathname });
    return new AppError("DATABASE_UNAVAILABLE", undefined, { retryAfter: DATABASE_RETRY_AFTER_SEC });
  }
  log.error("v1.unhandled", { method: req.method, path: new URL(req.url).pathname, error: errorType(e) });
  return new AppError("INTERNAL");
}

/**
 * A 401 on /v1 means "your API token": the SDKs raise AuthenticationError for it, and a script
 * reacts by replacing its token. The user's stored provider key being rejected or unreadable is
 * not that, so it answers 400 with its own code (fix it in AI settings).
 */
export function v1Status(err: AppError): number {
  if (err.code === "INVALID_API_KEY" || err.code === "KEY_NEEDS_REENTRY") return 400;
  return err.status;
}

function errorResponse(err: AppError, requestId: string): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store", [REQUEST_ID_HEADER]: requestId };
  if (err.retryAfter !== undefined) headers["Retry-After"] = String(err.retryAfter);
  const status = v1Status(err);
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="byok-chat"';
  return Response.json(openAiErrorBody(err), { status, headers });
}

type Handler = (req: Request) => Promise<Response>;

export function v1Route(handler: Handler) {
  return (req: Request): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    return withRequestId(requestId, async () => {
      try {
        const res = await handler(req);
        res.headers.set(REQUEST_ID_HEADER, requestId);
        if (!res.headers.has("Cache-Control")) res.headers.set("Cache-Control", "no-store");
        return res;
      } catch (e) {
        return errorResponse(toV1Error(e, req), requestId);
      }
    });
  };
}

/** The route's authorization: the bearer token of this request, never a cookie. */
export function requireApiToken(req: Request): Promise<TokenCaller> {
  return verifyApiToken(req.headers.get("authorization"));
}

/** Reads a JSON body (at most `maxBytes`); the schema decides what is accepted. */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new AppError("UNSUPPORTED_MEDIA_TYPE");
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  const text = await req.text();
  if (new TextEncoder().encode(text).byteLength > maxBytes) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION_FAILED", "The request body is not valid JSON.");
  }
}

const tooLarge = () => new AppError("VALIDATION_FAILED", "The request body is too large.", { status: 413 });
