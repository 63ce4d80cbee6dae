import type { KeyTestResult } from "@/lib/ai/probe-key";
import type { KeyStatus } from "@/lib/db/generated/enums";

// Which key a request runs on, as a pure function of what is stored and configured, so the
// rule the settings page spells out is the rule the chat route enforces.

export type KeySource = "personal" | "system";

export type StoredKeyState = { enabled: boolean; status: KeyStatus } | null;

export type SourceDecision =
  | { kind: "personal" }
  | { kind: "system" }
  | { kind: "error"; code: "API_KEY_REQUIRED" | "INVALID_API_KEY" | "KEY_NEEDS_REENTRY"; reason: string };

/**
 * - an enabled personal key is always used (a key needing re-entry or known invalid is an error,
 *   never a silent fallback: the user asked for their key and should learn it is broken);
 * - the operator's system key only when configured and the user has no usable key (none stored,
 *   or theirs is switched off), and never for `compatible`: a system key must not be sent to a
 *   URL the user chose;
 * - otherwise the user is asked to add a key.
 */
export function decideSource(input: {
  provider: string;
  stored: StoredKeyState;
  systemKeyConfigured: boolean;
}): SourceDecision {
  const { stored } = input;
  if (stored?.enabled) {
    if (stored.status === "INVALID") {
      return { kind: "error", code: "INVALID_API_KEY", reason: "personal key marked invalid" };
    }
    // NEEDS_REENTRY included: the caller decrypts anyway, so a restored master key heals it.
    return { kind: "personal" };
  }
  if (input.systemKeyConfigured && input.provider !== "compatible") return { kind: "system" };
  return {
    kind: "error",
    code: "API_KEY_REQUIRED",
    reason: stored ? "personal key disabled, no system key" : "no key, no system key",
  };
}

/** What the settings page and GET /api/keys report for one provider. */
export type KeyDisplayStatus =
  | "not_set"
  | "disabled"
  | "untested"
  | "active"
  | "invalid"
  | "no_credit"
  | "rate_limited"
  | "model_not_allowed"
  | "unreachable"
  | "needs_reentry";

const DISPLAY: Record<KeyStatus, KeyDisplayStatus> = {
  UNTESTED: "untested",
  VALID: "active",
  INVALID: "invalid",
  NO_CREDIT: "no_credit",
  RATE_LIMITED: "rate_limited",
  MODEL_NOT_ALLOWED: "model_not_allowed",
  UNREACHABLE: "unreachable",
  NEEDS_REENTRY: "needs_reentry",
};

export function displayStatus(stored: StoredKeyState): KeyDisplayStatus {
  if (!stored) return "not_set";
  if (!stored.enabled) return "disabled";
  return DISPLAY[stored.status];
}

const TEST_TO_STATUS: Record<KeyTestResult, KeyStatus> = {
  valid: "VALID",
  invalid_key: "INVALID",
  no_credit: "NO_CREDIT",
  rate_limited: "RATE_LIMITED",
  model_not_allowed: "MODEL_NOT_ALLOWED",
  unreachable: "UNREACHABLE",
};

export function statusForTest(result: KeyTestResult): KeyStatus {
  return TEST_TO_STATUS[result];
}
