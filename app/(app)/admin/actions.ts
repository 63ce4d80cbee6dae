"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionFailure } from "@/lib/action-result";
import { requireSameOrigin, requireUser } from "@/lib/auth";
import {
  type Actor,
  activeAdmin,
  createInvite,
  createResetLink,
  deleteAccount,
  saveSettings,
  setAdmin,
  setDisabled,
  setSystemKeyAllowed,
} from "@/lib/operator/admin";
import { settingsSchema } from "@/lib/operator/settings";
import { text } from "@/lib/text";
import type { AdminResult } from "./_components/types";

// Every action: requireSameOrigin → requireUser → is the caller an active admin NOW (a database
// read, not the session) → zod → one lib/operator call, which checks admin again inside its
// transaction and writes the audit row. A non-admin gets NOT_FOUND, like the page's 404.

const PATH = "/admin";

const userOp = z.strictObject({
  op: z.enum([
    "grant",
    "revoke",
    "disable",
    "enable",
    "delete",
    "reset-link",
    "allow-system-keys",
    "deny-system-keys",
  ]),
  userId: text().trim().min(1).max(64),
});

const NOT_FOUND: AdminResult = { ok: false, code: "NOT_FOUND", message: "Not found." };
const INVALID: AdminResult = { ok: false, code: "VALIDATION_FAILED", message: "Some input was not valid." };

async function adminActor(): Promise<Actor | null> {
  const user = await requireUser(PATH);
  return (await activeAdmin(user.id)) ? { kind: "admin", userId: user.id } : null;
}

const failed = (e: unknown, action: string) => actionFailure(e, "admin.action_failed", { action });

export async function adminUserAction(input: unknown): Promise<AdminResult> {
  await requireSameOrigin();
  const actor = await adminActor();
  if (!actor) return NOT_FOUND;
  const parsed = userOp.safeParse(input);
  if (!parsed.success) return INVALID;
  const { op, userId } = parsed.data;
  const target = { id: userId };
  try {
    let message: string;
    let link: string | undefined;
    if (op === "grant" || op === "revoke") {
      const r = await setAdmin(actor, target, op === "grant");
      message = `${r.email} is ${r.isAdmin ? "now an admin" : "no longer an admin"}.`;
    } else if (op === "disable" || op === "enable") {
      const r = await setDisabled(actor, target, op === "disable");
      message = `${r.email} is ${r.disabled ? "disabled" : "enabled"}.`;
    } else if (op === "delete") {
      const r = await deleteAccount(actor, target);
      message = `${r.email} was deleted.`;
    } else if (op === "reset-link") {
      const r = await createResetLink(actor, target);
      message = `One-time reset link for ${r.email}, valid for an hour:`;
      link = r.url;
    } else {
      const r = await setSystemKeyAllowed(actor, target, op === "allow-system-keys");
      message = `${r.email} ${r.allowed ? "may" : "may not"} use the shared keys.`;
    }
    revalidatePath(PATH);
    return { ok: true, message, ...(link ? { link } : {}) };
  } catch (e) {
    return failed(e, op);
  }
}

export async function createInviteAction(input: unknown): Promise<AdminResult> {
  await requireSameOrigin();
  const actor = await adminActor();
  if (!actor) return NOT_FOUND;
  if (!z.strictObject({}).safeParse(input ?? {}).success) return INVALID;
  try {
    const r = await createInvite(actor);
    return { ok: true, message: "Single-use invite link, valid for 7 days:", link: r.url };
  } catch (e) {
    return failed(e, "invite");
  }
}

export async function saveSettingsAction(input: unknown): Promise<AdminResult> {
  await requireSameOrigin();
  const actor = await adminActor();
  if (!actor) return NOT_FOUND;
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) return INVALID;
  try {
    await saveSettings(actor, parsed.data);
    revalidatePath(PATH);
    return { ok: true, message: "Settings saved." };
  } catch (e) {
    return failed(e, "settings");
  }
}
