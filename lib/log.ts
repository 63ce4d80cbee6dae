// Structured JSON-lines logger that redacts secrets before anything is written. Provider error
// text can echo key fragments, so redaction runs on every string, not only on known fields.
// Uses console only (no node: imports), so it also works in edge bundles. Lines written while a
// request runs carry its id (lib/request-id.ts keeps it in an AsyncLocalStorage on globalThis).

type Level = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type LogSink = (level: Level, line: string) => void;

const SENSITIVE_KEYS = new Set([
  "apikey",
  "key",
  "authorization",
  "proxyauthorization",
  "password",
  "passwordhash",
  "passwd",
  "secret",
  "clientsecret",
  "ciphertext",
  "plaintext",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "sessiontoken",
  "cookie",
  "setcookie",
  "masterkey",
  "masterkeys",
  "xapikey",
  "xgoogapikey",
]);

export function isSensitiveKey(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SENSITIVE_KEYS.has(n) || /(apikey|secret|password|ciphertext)$/.test(n);
}

/** Keeps at most the last 4 characters, and only of a token long enough to hide the rest. */
function maskToken(token: string): string {
  return token.length >= 16 ? `[REDACTED…${token.slice(-4)}]` : "[REDACTED]";
}

const PATTERNS: [RegExp, (m: string, ...groups: string[]) => string][] = [
  // Our own envelopes (v1.kid.nonce.body).
  [/\bv1\.[a-z0-9_-]{1,32}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+/g, () => "[REDACTED envelope]"],
  // Authorization header values, also when echoed in text.
  [/\b(Bearer|Basic)\s+([^\s"',;]+)/gi, (_m, scheme, tok) => `${scheme} ${maskToken(tok as string)}`],
  // Passwords in connection strings (postgres://user:password@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, (_m, head) => `${head}[REDACTED]@`],
  // Our own API tokens (lib/api-tokens): `byok_` + 43 base64url characters, also glued to text.
  [/byok_[A-Za-z0-9_-]{16,}/g, (m) => maskToken(m)],
  // Provider key shapes; `*` included because providers echo keys half-starred.
  [/\b(?:sk-|gsk_|AIza|xai-|pplx-)[A-Za-z0-9_*-]{3,}/g, (m) => maskToken(m)],
  // The same glued to preceding text ("keysk-…"): longer, and not plain lowercase words ("task-force").
  [/(?:sk-|gsk_|AIza)[A-Za-z0-9_-]{16,}/g, (m) => (/[A-Z0-9]/.test(m.slice(4)) ? maskToken(m) : m)],
  // key=value in URLs, query strings, headers and JSON-ish text.
  [
    /((?:[?&;]|\b)(?:api[_-]?key|key|token|access[_-]?token|secret|password|x-goog-api-key|x-api-key)["']?\s*[:=]\s*["']?)([^\s"'&,;}]{4,})/gi,
    (_m, head, value) => `${head}${maskToken(value as string)}`,
  ],
];

const LONG_TOKEN = /[A-Za-z0-9_+/=-]{32,}/g;

/** Mixed-class, high-entropy runs look like credentials; paths and words rarely do. */
function looksRandom(s: string): boolean {
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/[0-9]/.test(s)) return false;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const c of counts.values()) entropy -= (c / s.length) * Math.log2(c / s.length);
  return entropy >= 3.5;
}

export function redactString(input: string): string {
  let out = input;
  for (const [re, fn] of PATTERNS) out = out.replace(re, fn as (m: string) => string);
  return out.replace(LONG_TOKEN, (m) => (looksRandom(m) ? maskToken(m) : m));
}

type ErrorLike = Error & Record<string, unknown>;

/** AI SDK errors (AI_*) and anything carrying an HTTP response came from a provider. */
function fromProvider(e: ErrorLike): boolean {
  return (
    String(e.name).startsWith("AI_") ||
    ["statusCode", "responseBody", "responseHeaders", "requestBodyValues", "url"].some((k) => k in e)
  );
}

function serializeError(err: Error, depth: number): Record<string, unknown> {
  const e = err as ErrorLike;
  const out: Record<string, unknown> = { name: redactString(String(e.name)) };
  for (const k of ["code", "status", "statusCode"]) {
    if (typeof e[k] === "string" || typeof e[k] === "number") out[k] = redactString(String(e[k]));
  }
  // Provider text can echo key fragments in shapes no pattern knows: drop it. Our own errors keep a
  // redacted message. Bodies, headers and request values (user content) are never logged.
  if (!fromProvider(e)) out.message = redactString(String(e.message)).slice(0, 500);
  const frames = String(e.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .map((l) => redactString(l.trim()));
  if (frames.length) out.stack = frames;
  if (e.cause !== undefined && depth < 3) out.cause = redact(e.cause, depth + 1);
  return out;
}

export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return undefined; // functions, symbols, undefined
  if (seen.has(value)) return "[Circular]";
  if (depth > 6) return "[Truncated]";
  seen.add(value);
  if (value instanceof Error) return serializeError(value, depth);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (typeof Headers !== "undefined" && value instanceof Headers)
    return redact(Object.fromEntries(value), depth, seen);
  if (value instanceof Map) return redact(Object.fromEntries(value), depth, seen);
  if (value instanceof Set) return redact([...value], depth, seen);
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[redactString(k)] =
      isSensitiveKey(k) && v !== null && v !== undefined ? "[REDACTED]" : redact(v, depth + 1, seen);
  }
  return out;
}

function consoleSink(level: Level, line: string) {
  if (level === "info") console.log(line);
  else if (level === "warn") console.warn(line);
  else console.error(line);
}

type RequestStore = { getStore(): { requestId: string } | undefined };

function currentRequestId(): string | undefined {
  return (globalThis as { __byokRequests?: RequestStore }).__byokRequests?.getStore()?.requestId;
}

/** Error names and types are identifiers; anything else in their place is not logged. */
const identifier = (v: unknown): string | undefined =>
  typeof v === "string" && /^[\w$.]{1,80}$/.test(v) ? v : undefined;

/**
 * What may be logged of an error whose message could hold raw input (a sign-in body, a
 * connection string): its type, a code and the stack frames, never the message.
 */
export function errorType(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { name: `non-Error ${typeof e}` };
  const { code, type } = e as { code?: unknown; type?: unknown };
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return {
    name: identifier(e.name) ?? "Error",
    ...(identifier(type) ? { type: identifier(type) } : {}),
    ...(typeof code === "string" || typeof code === "number"
      ? { code: redactString(String(code)).slice(0, 100) }
      : {}),
    ...(frames.length ? { stack: frames.slice(0, 8).map((l) => redactString(l.trim())) } : {}),
  };
}

export function createLogger(sink: LogSink = consoleSink) {
  const write = (level: Level, event: string, fields?: LogFields) => {
    const requestId = currentRequestId();
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      event: redactString(String(event)),
      ...(requestId ? { requestId } : {}),
    };
    const body = fields ? redact(fields) : {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (!(k in line)) line[k] = v;
    try {
      sink(level, JSON.stringify(line));
    } catch {
      // A logger must never take the request down with it.
    }
  };
  return {
    info: (event: string, fields?: LogFields) => write("info", event, fields),
    warn: (event: string, fields?: LogFields) => write("warn", event, fields),
    error: (event: string, fields?: LogFields) => write("error", event, fields),
  };
}

export type Logger = ReturnType<typeof createLogger>;

/** info → stdout, warn/error → stderr, one JSON object per line. */
export const log: Logger = createLogger();
