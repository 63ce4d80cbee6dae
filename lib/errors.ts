import type { ZodError } from "zod";

// One error type for everything the product reports to a user or a client.
// `message` is ours, never a provider's text (that can echo key fragments).

export const ERROR_CODES = {
  API_KEY_REQUIRED: 400,
  INVALID_API_KEY: 401,
  QUOTA_EXCEEDED: 402,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  PROVIDER_UNAVAILABLE: 502,
  KEY_NEEDS_REENTRY: 409,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TURN_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  API_KEY_REQUIRED: "Add an API key for this provider to start chatting.",
  INVALID_API_KEY: "The provider rejected this API key. Update it in AI settings.",
  QUOTA_EXCEEDED: "This key has no credit or quota left. Check billing with the provider.",
  RATE_LIMITED: "Too many requests. Try again shortly.",
  BUDGET_EXCEEDED: "The daily budget the operator set on shared keys is used up. It resets at midnight UTC.",
  PROVIDER_UNAVAILABLE: "The provider could not be reached. Try again.",
  KEY_NEEDS_REENTRY: "This key can no longer be read. Enter it again in AI settings.",
  VALIDATION_FAILED: "Some input was not valid.",
  UNAUTHORIZED: "Sign in to continue.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "Not found.",
  CONFLICT: "That conflicts with the current state.",
  TURN_IN_PROGRESS:
    "This answer is still being written by another tab or request. Reload the chat in a moment to see it.",
  PAYLOAD_TOO_LARGE: "The request body is too large.",
  UNSUPPORTED_MEDIA_TYPE: "Send JSON with Content-Type: application/json.",
  INTERNAL: "Something went wrong on our side.",
  DATABASE_UNAVAILABLE: "The service cannot reach its database right now. Try again in a moment.",
};

export type FieldIssue = { path: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds until a retry may succeed (RATE_LIMITED). */
  readonly retryAfter?: number;
  /** Field-level problems for VALIDATION_FAILED. */
  readonly issues?: FieldIssue[];
  /** The app page (path + anchor) where the user changes what caused it, e.g. their spending limit. */
  readonly setting?: string;

  constructor(
    code: ErrorCode,
    message?: string,
    extra?: { retryAfter?: number; issues?: FieldIssue[]; status?: number; setting?: string },
  ) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = "AppError";
    this.code = code;
    this.status = extra?.status ?? ERROR_CODES[code];
    this.retryAfter = extra?.retryAfter;
    this.issues = extra?.issues;
    this.setting = extra?.setting;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.setting ? { setting: this.setting } : {}),
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export function defaultMessage(code: ErrorCode): string {
  return DEFAULT_MESSAGES[code];
}

/** The one mapping of a zod failure: VALIDATION_FAILED (400), each field's problem, the first as the message. */
export function validationError(error: ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return new AppError("VALIDATION_FAILED", issues[0]?.message, { issues });
}

/** VALIDATION_FAILED for one field, for rules checked after the schema (key format, base URL). */
export function invalidField(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { issues: [{ path, message }] });
}
