import type { ErrorCode } from "@/lib/errors";
import type { Failure } from "./classify";

// One reading of a provider's answer for the user, shared by the chat (lib/ai/errors.ts
// toAppError) and the key Test (lib/ai/probe-key.ts → lib/keys/probe.ts): the same cause gets
// the same code, the same words and the same button wherever it is met. Before, a 403 "country,
// region or territory not supported" was "Invalid key… create a new key" in Test and
// "permissions, project or region" in chat, and an HTTP 500 was "Unreachable… check the
// address" in Test although the provider had answered. No server-only imports: the settings
// and chat clients render the action labels from here.

/** The one thing that fixes it, as a button or link. */
export type VerdictAction =
  | "add_key"
  | "update_key"
  | "reenter_key"
  | "check_billing"
  | "spending_limits"
  | "use_own_key"
  | "retry"
  | "choose_model"
  | "sign_in"
  | "reload"
  | "new_chat"
  | "none";

export type Verdict = {
  code: ErrorCode;
  message: string;
  action: VerdictAction;
  /** Seconds (RATE_LIMITED), when the provider said. */
  retryAfter?: number;
};

/** The words on each action's button, in the chat banner and on the key Test result alike. */
export const ACTION_LABELS: Record<Exclude<VerdictAction, "none">, string> = {
  add_key: "Add API key",
  update_key: "Update API key",
  reenter_key: "Re-enter key",
  check_billing: "Check billing",
  spending_limits: "Spending limits",
  use_own_key: "Add your own key",
  retry: "Retry",
  choose_model: "Choose another model",
  sign_in: "Sign in",
  reload: "Reload chat",
  new_chat: "Start a new chat",
};

/**
 * The action an error code calls for: the chat banner and the key Test result both pick their
 * button here. `setting` is the page a user's own limit lives on (BUDGET_EXCEEDED): without one
 * the budget is the operator's, and the user's way out is a key of their own.
 */
export function actionFor(code: string, opts: { setting?: string } = {}): VerdictAction {
  switch (code) {
    case "API_KEY_REQUIRED":
      return "add_key";
    case "INVALID_API_KEY":
      return "update_key";
    case "KEY_NEEDS_REENTRY":
      return "reenter_key";
    case "QUOTA_EXCEEDED":
      return "check_billing";
    case "BUDGET_EXCEEDED":
      return opts.setting ? "spending_limits" : "use_own_key";
    case "RATE_LIMITED":
    case "PROVIDER_UNAVAILABLE":
    case "INTERNAL":
      return "retry";
    case "UNAUTHORIZED":
      return "sign_in";
    case "TURN_IN_PROGRESS":
      return "reload";
    case "NOT_FOUND":
      return "new_chat";
    default:
      return "none";
  }
}

export const MODEL_MESSAGE = "This key cannot use the selected model. Choose another model.";

export type VerdictContext = {
  /** The provider is reached at a base URL the user typed (`compatible`): a wrong address is theirs to fix. */
  userBaseUrl?: boolean;
};

function words(f: Failure, ctx: VerdictContext): { code: ErrorCode; message: string } {
  switch (f.kind) {
    case "invalid_key":
      return {
        code: "INVALID_API_KEY",
        message: "The provider rejected this API key. Update it in AI settings.",
      };
    case "forbidden":
      // 403s: a region the provider does not serve, a restricted organisation or project, a
      // blocked key. The key authenticates, the provider refuses to serve it here.
      return {
        code: "INVALID_API_KEY",
        message:
          "The provider refused this key (permissions, project or region not supported). Check the key's project and region with the provider, or use another key.",
      };
    case "key_missing":
      return { code: "API_KEY_REQUIRED", message: "Add an API key for this provider to start chatting." };
    case "no_credit":
      return {
        code: "QUOTA_EXCEEDED",
        message: "This key has no credit or quota left. Check billing with the provider.",
      };
    case "rate_limited":
      return {
        code: "RATE_LIMITED",
        message: f.retryAfter
          ? `The provider is rate-limiting this key. Try again in ${f.retryAfter} s.`
          : "The provider is rate-limiting this key. Try again shortly.",
      };
    case "model_not_allowed":
      return { code: "VALIDATION_FAILED", message: MODEL_MESSAGE };
    case "bad_request":
      return {
        code: "VALIDATION_FAILED",
        message: "The provider refused this request. Try a shorter conversation or another model.",
      };
    case "timeout":
      return { code: "PROVIDER_UNAVAILABLE", message: "The provider took too long to answer. Try again." };
    case "internal":
      return { code: "INTERNAL", message: "Something went wrong on our side." };
    default:
      return { code: "PROVIDER_UNAVAILABLE", message: unavailableMessage(f, ctx) };
  }
}

function unavailableMessage(f: Failure, ctx: VerdictContext): string {
  // The provider answered, with an error of its own: nothing about the address is wrong.
  if (f.status !== undefined && f.status >= 500)
    return `The provider answered with a server error (HTTP ${f.status}). Try again in a moment.`;
  // A 404 without a provider error body, or a 200 that is no API: something else lives there.
  if (f.status !== undefined)
    return ctx.userBaseUrl
      ? `No provider API answered at this base URL (HTTP ${f.status}). Check the address in AI settings.`
      : `The provider answered in a way this app does not understand (HTTP ${f.status}). Try again.`;
  return ctx.userBaseUrl
    ? "The base URL could not be reached. Check the address in AI settings, or try again."
    : "The provider could not be reached. Try again.";
}

/** The user-facing reading of a provider failure (aborted is no failure to describe: treat it as unavailable). */
export function verdictFor(f: Failure, ctx: VerdictContext = {}): Verdict {
  const { code, message } = words(f, ctx);
  return {
    code,
    message,
    action: f.kind === "model_not_allowed" ? "choose_model" : actionFor(code),
    ...(f.kind === "rate_limited" && f.retryAfter ? { retryAfter: f.retryAfter } : {}),
  };
}
