import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { newToken } from "@/lib/tokens";
import { lockAdmins, type OperatorDeps, operatorDeps, type Tx } from "./deps";
import { issueResetToken, RESET_PATH } from "./reset";
import { type SettingsInput, writeInstanceSettings } from "./settings";

// What admins do, from /admin (actor: an admin's user id, re-checked against the database on
// every call) or from the shell (`npm run admin`, actor "shell": whoever can run commands as the
// server's owner). Every change writes an audit row in the same transaction.

export type Actor = { kind: "admin"; userId: string } | { kind: "shell" };

export { RESET_TTL_MS } from "./reset";
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const LAST_ADMIN_MESSAGE = "This is the last active admin: make another admin first.";

/** The user if they are an active admin, else null. */
export async function activeAdmin(userId: string, { db: client }: OperatorDeps = operatorDeps()) {
  const u = await client.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, isAdmin: true, disabledAt: true },
  });
  return u?.isAdmin && !u.disabledAt ? u : null;
}

async function checkActor(tx: Tx, actor: Actor): Promise<void> {
  if (actor.kind === "shell") return;
  // 404, like the page: a non-admin learns nothing about /admin.
  if (!(await activeAdmin(actor.userId, { db: tx as OperatorDeps["db"] }))) throw new AppError("NOT_FOUND");
}

async function audit(
  tx: Tx,
  actor: Actor,
  action: string,
  target: { id: string; email: string } | null,
  extra = {},
) {
  await tx.auditEvent.create({
    data: {
      // The admin's own log; a shell action is recorded on the account it changed.
      userId: actor.kind === "admin" ? actor.userId : (target?.id ?? ""),
      action: `admin.${action}`,
      detail: {
        by: actor.kind === "admin" ? "admin" : "shell",
        ...(target ? { target: target.email } : {}),
        ...extra,
      },
    },
  });
}

type Target = { id?: string; email?: string };

async function findTarget(tx: Tx, t: Target) {
  const where = t.id ? { id: t.id } : t.email ? { email: t.email.trim().toLowerCase() } : null;
  const user = where
    ? await tx.user.findUnique({ where, select: { id: true, email: true, isAdmin: true, disabledAt: true } })
    : null;
  if (!user) throw new AppError("NOT_FOUND", "No account with that email.");
  return user;
}

/** Refuses a change that would leave no active admin. Run under lockAdmins. */
async function keepOneAdmin(tx: Tx, losing: { id: string; isAdmin: boolean; disabledAt: Date | null }) {
  if (!losing.isAdmin || losing.disabledAt) return;
  const others = await tx.user.count({ where: { isAdmin: true, disabledAt: null, id: { not: losing.id } } });
  if (others === 0) throw new AppError("CONFLICT", LAST_ADMIN_MESSAGE);
}

function run<T>(actor: Actor, deps: OperatorDeps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.db.$transaction(async (tx) => {
    await lockAdmins(tx);
    await checkActor(tx, actor);
    return fn(tx);
  });
}

export function setAdmin(actor: Actor, target: Target, admin: boolean, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const user = await findTarget(tx, target);
    if (!admin) await keepOneAdmin(tx, user);
    if (user.isAdmin !== admin) await tx.user.update({ where: { id: user.id }, data: { isAdmin: admin } });
    await audit(tx, actor, admin ? "granted" : "revoked", user);
    return { email: user.email, isAdmin: admin };
  });
}

/**
 * Disabling ends the user's sessions (and lib/auth/sessions.ts refuses any session of a disabled
 * account), so every page, action and route refuses them from their next request.
 */
export function setDisabled(actor: Actor, target: Target, disabled: boolean, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const user = await findTarget(tx, target);
    if (disabled) await keepOneAdmin(tx, user);
    await tx.user.update({
      where: { id: user.id },
      data: { disabledAt: disabled ? (user.disabledAt ?? new Date()) : null },
    });
    if (disabled)
      await tx.session.updateMany({
        where: { userId: user.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    await audit(tx, actor, disabled ? "disabled" : "enabled", user);
    return { email: user.email, disabled };
  });
}

/** Deletes the account and, through the schema's cascades, its keys, chats, messages, usage and audit rows. */
export function deleteAccount(actor: Actor, target: Target, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const user = await findTarget(tx, target);
    if (actor.kind === "admin" && actor.userId === user.id) {
      throw new AppError("CONFLICT", "Delete your own account from your profile, not from /admin.");
    }
    await keepOneAdmin(tx, user);
    await tx.user.delete({ where: { id: user.id } });
    if (actor.kind === "admin") await audit(tx, actor, "deleted", user);
    return { email: user.email };
  });
}

/** A one-time password-reset link for the account; earlier unused links for it stop working. */
export function createResetLink(actor: Actor, target: Target, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const user = await findTarget(tx, target);
    const { token, expiresAt } = await issueResetToken(tx, user.id);
    await audit(tx, actor, "reset_link", user);
    return { email: user.email, url: `${env().appOrigin}${RESET_PATH}?token=${token}`, expiresAt };
  });
}

/** A single-use sign-up link. One made from the shell also opens a closed instance (the first account). */
export function createInvite(actor: Actor, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const { token, hash } = newToken();
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    await tx.invite.create({
      data: { tokenHash: hash, expiresAt, createdById: actor.kind === "admin" ? actor.userId : null },
    });
    if (actor.kind === "admin") await audit(tx, actor, "invite_created", null);
    return { url: `${env().appOrigin}/sign-up?invite=${token}`, expiresAt };
  });
}

export function saveSettings(actor: Actor, input: SettingsInput, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    await writeInstanceSettings(tx, input);
    await audit(tx, actor, "settings_saved", null, {
      registration: input.registration,
      systemKeyAccess: input.systemKeyAccess,
      systemKeyDailyRequests: input.systemKeyDailyRequests,
      systemKeyDailyTokens: input.systemKeyDailyTokens,
    });
  });
}

export function setSystemKeyAllowed(actor: Actor, target: Target, allowed: boolean, deps = operatorDeps()) {
  return run(actor, deps, async (tx) => {
    const user = await findTarget(tx, target);
    await tx.user.update({ where: { id: user.id }, data: { systemKeyAllowed: allowed } });
    await audit(tx, actor, allowed ? "system_keys_allowed" : "system_keys_denied", user);
    return { email: user.email, allowed };
  });
}
