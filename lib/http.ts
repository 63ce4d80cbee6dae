import { unstable_rethrow } from "next/navigation";
import { ZodError, z } from "zod";
import { isSameOriginRequest, MUTATING_METHODS } from "@/lib/csrf";
import { knownDatabaseError } from "@/lib/db/known-errors";
import { DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { AppError, isAppError, validationError } from "@/lib/errors";
import { errorType, log } from "@/lib/log";
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "@/lib/request-id";

// Every route handler goes through apiRoute(): one place for the error contract
// ({ code, message, requestId, ... } with the right status), the request id (on every log line
// of the request and in the X-Request-Id response header), no-store caching, and the CSRF
// defence route handlers lack: lib/csrf.ts's same-origin rule + JSON on state-changing requests.

export type ApiRouteOptions = {
  /** Defaults to true for POST/PUT/PATCH/DELETE. */
  mutating?: boolean;
};

type Handler<C> = (req: Request, ctx: C) => Promise<Response | unknown> | Response | unknown;

export function apiRoute<C = unknown>(handler: Handler<C>, opts: ApiRouteOptions = {}) {
  return (req: Request, ctx: C): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    return withRequestId(requestId, async () => {
      try {
        if (opts.mutating ?? MUTATING_METHODS.has(req.method)) checkMutatingRequest(req);
        const result = await handler(req, ctx);
        return finish(result instanceof Response ? result : Response.json(result ?? null), requestId);
      } catch (e) {
        // Next's redirect()/notFound() and dynamic-rendering signals must keep propagating.
        unstable_rethrow(e);
        return errorResponse(e, req, requestId);
      }
    });
  };
}

/** Throws FORBIDDEN unless the request comes from our own origin, UNSUPPORTED_MEDIA_TYPE unless a body is JSON. */
export function checkMutatingRequest(req: Request): void {
  if (!isSameOrigin(req)) throw new AppError("FORBIDDEN", "Cross-origin request refused.");
  if (hasBody(req) && !isJson(req.headers.get("content-type"))) throw new AppError("UNSUPPORTED_MEDIA_TYPE");
}

/** The CSRF rule of lib/csrf.ts, applied to a route handler's request. */
export function isSameOrigin(req: Request): boolean {
  return isSameOriginRequest(req.headers);
}

function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  if (length !== null) return length.trim() !== "0";
  return req.headers.has("transfer-encoding") || req.headers.has("content-type");
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function finish(res: Response, requestId: string): Response {
  // A handler's no-transform survives (the chat stream: it keeps Next's gzip off).
  const value = /(^|,)\s*no-transform\s*(,|$)/i.test(res.headers.get("Cache-Control") ?? "")
    ? "no-store, no-transform"
    : "no-store";
  try {
    res.headers.set("Cache-Control", value);
    res.headers.set(REQUEST_ID_HEADER, requestId);
    return res;
  } catch {
    // Immutable headers (e.g. a Response.redirect or a proxied fetch): copy into a new Response.
    const copy = new Response(res.body, res);
    copy.headers.set("Cache-Control", value);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/** { code, message, requestId, retryAfter?, issues? } with the error's status. */
function errorResponse(e: unknown, req: Request, requestId: string): Response {
  let err: AppError;
  const known = knownDatabaseError(e);
  if (isAppError(e)) err = e;
  else if (e instanceof ZodError) err = validationError(e);
  else if (known) err = known;
  else if (isDatabaseUnavailable(e)) {
    // A dependency is down, not a bug: one line, no stack (its message names the host).
    log.warn("api.database_unavailable", { method: req.method, path: new URL(req.url).pathname });
    err = new AppError("DATABASE_UNAVAILABLE", undefined, { retryAfter: DATABASE_RETRY_AFTER_SEC });
  } else {
    // Error messages can carry secrets (a provider echoing a key, a connection string) or raw
    // input: the type, a code and the stack frames only.
    log.error("api.unhandled", { method: req.method, path: new URL(req.url).pathname, error: errorType(e) });
    err = new AppError("INTERNAL");
  }
  const headers: Record<string, string> = { "Cache-Control": "no-store", [REQUEST_ID_HEADER]: requestId };
  if (err.retryAfter !== undefined) headers["Retry-After"] = String(err.retryAfter);
  return Response.json({ ...err.toJSON(), requestId }, { status: err.status, headers });
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * Reads a JSON body and validates it. A top-level z.object is made strict (unknown fields are
 * refused); use z.strictObject for nested objects. Bad JSON or schema → AppError VALIDATION_FAILED.
 */
export async function parseJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  opts: { maxBytes?: number } = {},
): Promise<z.infer<S>> {
  const text = await readBody(req, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION_FAILED", "The request body is not valid JSON.");
  }
  const parsed = strictVersion(schema).safeParse(data);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data as z.infer<S>;
}

// Deriving the strict schema is not free; do it once per schema, not once per request.
const strictCache = new WeakMap<z.ZodType, z.ZodType>();
function strictVersion(schema: z.ZodType): z.ZodType {
  let strict = strictCache.get(schema);
  if (!strict) {
    strict = schema instanceof z.ZodObject ? schema.strict() : schema;
    strictCache.set(schema, strict);
  }
  return strict;
}

/**
 * The body as text, refused with 413 as soon as it passes maxBytes: a declared Content-Length
 * is checked first, and a chunked body (no length) is counted while it is read, so an endless
 * or huge upload never sits whole in memory. Invalid UTF-8 becomes U+FFFD, as req.text() does.
 */
export async function readBody(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop reading; the rest of the upload is dropped with the connection's request.
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(maxBytes: number) {
  const kib = Math.floor(maxBytes / 1024);
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is too large (at most ${kib} KiB).`);
}
