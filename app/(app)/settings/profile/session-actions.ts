"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionFailure } from "@/lib/action-result";
import { requireSameOrigin, requireUser, signOut } from "@/lib/auth";
import { changePassword } from "@/lib/auth/password-change";
import { SIGN_IN_PATH } from "@/lib/auth/paths";
import { endOtherSessions, endSession } from "@/lib/auth/sessions";
import { validationError } from "@/lib/errors";
import { text } from "@/lib/text";

// The password and sessions sections of /settings/profile. Thin, like every action file:
// requireSameOrigin → requireUser → zod on plain data → one lib/auth call → a result without
// secrets. Ending the caller's own session (one, or everywhere) also clears its cookie.

const PATH = "/settings/profile";

export type SessionActionResult =
  | { ok: true; message?: string }
  | { ok: false; code: string; message: string; fieldErrors?: Record<string, string> };

const passwordInput = z.strictObject({
  current: text().max(1024).optional(),
  next: text({ error: "Choose a new password." }).min(1, "Choose a new password.").max(1024),
});
const endInput = z.strictObject({ sessionId: text().min(1).max(64) });
const everywhereInput = z.strictObject({ confirm: z.literal("everywhere") });

const refused = (e: unknown) => actionFailure(e, "profile.session_action_failed");

export async function changePasswordAction(input: unknown): Promise<SessionActionResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = passwordInput.safeParse(input);
  if (!parsed.success) return refused(validationError(parsed.error));
  try {
    const { endedSessions } = await changePassword(user, {
      current: parsed.data.current || null,
      next: parsed.data.next,
    });
    revalidatePath(PATH);
    const others =
      endedSessions === 0
        ? ""
        : ` ${endedSessions} other session${endedSessions === 1 ? " was" : "s were"} signed out.`;
    return { ok: true, message: `Password saved.${others}` };
  } catch (e) {
    return refused(e);
  }
}

export async function endSessionAction(input: unknown): Promise<SessionActionResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = endInput.safeParse(input);
  if (!parsed.success) return refused(validationError(parsed.error));
  const ended = await endSession(user.id, parsed.data.sessionId);
  // This browser's own session: the cookie goes too, and the visitor lands on sign-in.
  if (parsed.data.sessionId === user.sid) await signOut({ redirectTo: SIGN_IN_PATH });
  revalidatePath(PATH);
  if (!ended) return { ok: false, code: "NOT_FOUND", message: "That session has already ended." };
  return { ok: true, message: "Session ended." };
}

export async function signOutEverywhereAction(input: unknown): Promise<SessionActionResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = everywhereInput.safeParse(input);
  if (!parsed.success) return refused(validationError(parsed.error));
  await endOtherSessions(user.id, null);
  await signOut({ redirectTo: SIGN_IN_PATH });
  return { ok: true };
}
