"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { deleteAccount } from "@/lib/account/delete";
import {
  confirmEmailChange,
  type EmailChangeResult,
  requestEmailChange,
  updateDisplayName,
} from "@/lib/account/profile";
import { confirmEmailInput, deleteInput, emailChangeInput, nameInput } from "@/lib/account/schemas";
import { actionFailure, refusal, requestContext } from "@/lib/action-result";
import { requireSameOrigin, requireUser, signOut } from "@/lib/auth";
import { SIGN_IN_PATH } from "@/lib/auth/paths";
import { validationError } from "@/lib/errors";
import type { ProfileActionError, ProfileResult } from "./_components/types";

// requireSameOrigin → requireUser → zod → one lib/account call → plain result. The user id
// always comes from the session, never from the input.

const PATH = "/settings/profile";

const rejectInput = (error: z.ZodError) => refusal(validationError(error));
const fail = (e: unknown, action: string) => actionFailure(e, "settings.profile.action_failed", { action });

export async function updateNameAction(input: unknown): Promise<ProfileResult<{ name: string | null }>> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = nameInput.safeParse(input);
  if (!parsed.success) return rejectInput(parsed.error);
  try {
    const name = await updateDisplayName(user.id, parsed.data.name);
    revalidatePath("/", "layout");
    return { ok: true, name };
  } catch (e) {
    return fail(e, "name");
  }
}

export async function changeEmailAction(input: unknown): Promise<ProfileResult<EmailChangeResult>> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = emailChangeInput.safeParse(input);
  if (!parsed.success) return rejectInput(parsed.error);
  try {
    const result = await requestEmailChange(user.id, parsed.data, await requestContext());
    revalidatePath("/", "layout");
    return { ok: true, ...result };
  } catch (e) {
    return fail(e, "email");
  }
}

export async function confirmEmailAction(input: unknown): Promise<ProfileResult<EmailChangeResult>> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = confirmEmailInput.safeParse(input);
  if (!parsed.success) return rejectInput(parsed.error);
  try {
    const result = await confirmEmailChange(user.id, parsed.data.token, await requestContext());
    revalidatePath("/", "layout");
    return { ok: true, ...result };
  } catch (e) {
    return fail(e, "confirm-email");
  }
}

/** Deletes everything of the signed-in user, then signs out (to the sign-in page). */
export async function deleteAccountAction(input: unknown): Promise<ProfileActionError> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = deleteInput.safeParse(input);
  if (!parsed.success) return rejectInput(parsed.error);
  try {
    await deleteAccount(user.id, parsed.data);
  } catch (e) {
    return fail(e, "delete");
  }
  // Outside the try: signOut ends with a redirect, which must propagate.
  await signOut({ redirectTo: `${SIGN_IN_PATH}?deleted=1` });
  return { ok: false, code: "INTERNAL", message: "Signing out did not redirect." };
}
