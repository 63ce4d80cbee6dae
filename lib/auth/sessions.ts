import "server-only";
import Bowser from "bowser";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

// Server-side sessions. The session JWT (next-auth, JWT strategy) carries the id of a Session
// row as `sid`; every page, server action and route handler asks liveSession() before it trusts
// the cookie (lib/auth/index.ts), so ending the row signs that browser out on every instance at
// its next request: the database is the source of truth and nothing caches the answer.

const DAY_MS = 24 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often per session (the idle timeout counts in days). */
export const TOUCH_INTERVAL_MS = 60_000;

export type SessionInfo = {
  id: string;
  device: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
};

/** "Firefox on Linux", "Safari on iOS (mobile)": what the sessions list shows. */
export function deviceLabel(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const ua = Bowser.parse(userAgent);
  const browser = ua.browser.name || "Unknown browser";
  const os = ua.os.name;
  const kind = ua.platform.type === "mobile" || ua.platform.type === "tablet" ? ` (${ua.platform.type})` : "";
  return os ? `${browser} on ${os}${kind}` : `${browser}${kind}`;
}

/** Records a sign-in; the returned id goes into the JWT. */
export async function startSession(
  userId: string,
  client: { userAgent?: string | null; ip?: string | null },
  now = new Date(),
): Promise<string> {
  const userAgent = client.userAgent?.slice(0, 512) ?? null;
  const row = await db().session.create({
    data: {
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + env().SESSION_MAX_DAYS * DAY_MS),
      userAgent,
      device: deviceLabel(userAgent),
      ip: client.ip?.slice(0, 64) ?? null,
    },
    select: { id: true },
  });
  return row.id;
}

/**
 * True when session `sid` of `userId` may be used: not ended, within its absolute lifetime, used
 * within the idle timeout, and its user row exists (a join, so account-level conditions can be
 * added to the same WHERE). One statement on the primary key; it also moves lastSeenAt forward
 * when that is more than a minute old, so a live session's idle clock restarts and a dead one is
 * never extended.
 */
export async function liveSession(sid: string, userId: string, now = new Date()): Promise<boolean> {
  const { SESSION_IDLE_DAYS } = env();
  const idleCutoff = new Date(now.getTime() - SESSION_IDLE_DAYS * DAY_MS);
  const touchCutoff = new Date(now.getTime() - TOUCH_INTERVAL_MS);
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH live AS (
      SELECT s."id", s."lastSeenAt"
      FROM "Session" s
      JOIN "User" u ON u."id" = s."userId"
      WHERE s."id" = ${sid} AND s."userId" = ${userId} AND s."revokedAt" IS NULL AND u."disabledAt" IS NULL
        AND s."expiresAt" > ${now} AND s."lastSeenAt" > ${idleCutoff}
    ), touched AS (
      UPDATE "Session" SET "lastSeenAt" = ${now}
      WHERE "id" IN (SELECT "id" FROM live WHERE "lastSeenAt" < ${touchCutoff})
      RETURNING "id"
    )
    SELECT "id" FROM live`;
  return rows.length === 1;
}

/** The user's live sessions, most recently active first. */
export async function listSessions(userId: string, now = new Date()): Promise<SessionInfo[]> {
  const idleCutoff = new Date(now.getTime() - env().SESSION_IDLE_DAYS * DAY_MS);
  const rows = await db().session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now }, lastSeenAt: { gt: idleCutoff } },
    orderBy: { lastSeenAt: "desc" },
    select: { id: true, device: true, ip: true, createdAt: true, lastSeenAt: true },
  });
  return rows.map((r) => ({ ...r, device: r.device ?? deviceLabel(null) }));
}

/** Ends one of the user's sessions (another user's id matches nothing). True if it was live. */
export async function endSession(userId: string, sid: string): Promise<boolean> {
  const res = await db().session.updateMany({
    where: { id: sid, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return res.count > 0;
}

/** Ends every session of the user except `keepSid` (none kept when it is null). */
export async function endOtherSessions(userId: string, keepSid: string | null): Promise<number> {
  const res = await db().session.updateMany({
    where: { userId, revokedAt: null, ...(keepSid ? { id: { not: keepSid } } : {}) },
    data: { revokedAt: new Date() },
  });
  return res.count;
}
