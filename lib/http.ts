import { unstable_rethrow } from "next/navigation";
import { ZodError, z } from "zod";
import { isSameOriginRequest, MUTATING_METHODS } from "@/lib/csrf";
import { DATABASE_RETRY_AFTER_SEC, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { AppError, isAppError } from "@/lib/errors";

// Every route handler goes through apiRoute(): one place for the error contract
// ({ code, message, ... } with the right status), no-store caching, and the CSRF defence route
// handlers lack: lib/csrf.ts's same-origin rule + JSON on state-changing requests.

export type ApiRouteOptions = {
  /** Defaults to true for POST/PUT/PATCH/DELETE. */
  mutating?: boolean;
};

type Handler<C> = (req: Request, ctx: C) => Promise<Response | unknown> | Response | unknown;

export function apiRoute<C = unknown>(handler: Handler<C>, opts: ApiRouteOptions = {}) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      if (opts.mutating ?? MUTATING_METHODS.has(req.method)) checkMutatingRequest(req);
      const result = await handler(req, ctx);
      return noStore(result instanceof Response ? result : Response.json(result ?? null));
    } catch (e) {
      // Next's redirect()/notFound() and dynamic-rendering signals must keep propagating.
      unstable_rethrow(e);
      return errorResponse(e, req);
    }
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

function noStore(res: Response): Response {
  // A handler's no-transform survives (the chat stream: it keeps Next's gzip off).
  const value = /(^|,)\s*no-transform\s*(,|$)/i.test(res.headers.get("Cache-Control") ?? "")
    ? "no-store, no-transform"
    : "no-store";
  try {
    res.headers.set("Cache-Control", value);
    return res;
  } catch {
    // Immutable headers (e.g. a Response.redirect or a proxied fetch): copy into a new Response.
    const copy = new Response(res.body, res);
    copy.headers.set("Cache-Control", value);
    return copy;
  }
}

export function errorResponse(e: unknown, req?: Request): Response {
  let err: AppError;
  if (isAppError(e)) err = e;
  else if (e instanceof ZodError) err = validationError(e);
  else if (isDatabaseUnavailable(e)) {
    // A dependency is down, not a bug: one line, no stack (its message names the host).
    console.error(`[api] database unavailable ${where(req)}`);
    err = new AppError("DATABASE_UNAVAILABLE", undefined, { retryAfter: DATABASE_RETRY_AFTER_SEC });
  } else {
    logUnexpected(e, req);
    err = new AppError("INTERNAL");
  }
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (err.retryAfter !== undefined) headers["Retry-After"] = String(err.retryAfter);
  return Response.json(err.toJSON(), { status: err.status, headers });
}

export function validationError(e: ZodError): AppError {
  const issues = e.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return new AppError("VALIDATION_FAILED", undefined, { issues });
}

const where = (req?: Request) => (req ? `${req.method} ${new URL(req.url).pathname}` : "");

// Error messages can carry secrets (a provider echoing a key, a connection string); log the
// type, a code and the stack frames only.
function logUnexpected(e: unknown, req?: Request) {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const frames = (e.stack ?? "").split("\n").filter((l) => l.trimStart().startsWith("at "));
    console.error(
      `[api] unhandled ${e.name}${typeof code === "string" ? ` (${code})` : ""} ${where(req)}\n${frames.slice(0, 8).join("\n")}`,
    );
  } else {
    console.error(`[api] unhandled non-Error value (${typeof e}) ${where(req)}`);
  }
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
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  const text = await req.text();
  if (new TextEncoder().encode(text).byteLength > maxBytes) throw tooLarge();
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

function tooLarge() {
  return new AppError("VALIDATION_FAILED", "The request body is too large.", { status: 413 });
}
