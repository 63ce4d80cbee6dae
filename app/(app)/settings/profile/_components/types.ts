// The profile actions answer in the same shape as the AI-settings actions: plain data, or
// { ok: false, code, message, fieldErrors? } with field errors keyed by input name.

export type {
  ActionError as ProfileActionError,
  ActionResult as ProfileResult,
} from "@/app/(app)/settings/ai/_components/types";
