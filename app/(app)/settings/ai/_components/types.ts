import type { KeyDto } from "@/lib/keys/dto";
import type { KeyTestReport } from "@/lib/keys/probe";

// What the AI-settings server actions hand back. Never plaintext: DTOs carry the masked preview.

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

export type ActionResult<T = object> = ({ ok: true } & T) | ActionError;

export type SaveKeyResult = ActionResult<{ key: KeyDto }>;
export type TestKeyResult = ActionResult<{ test: KeyTestReport }>;
export type KeyResult = ActionResult<{ key: KeyDto }>;
export type DefaultsResult = ActionResult<{ provider: string; model: string | null }>;

export type { KeyDto, KeyTestReport };
