import { type OperatorDeps, operatorDeps } from "./deps";

// The /admin users table. Only what an operator needs: never key material, previews (prefix,
// last4) or base URLs: of a personal key only its provider is read.

export type AdminUserRow = {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
  /** Latest usage or audit event; null when the account has done nothing yet. */
  lastActiveAt: string | null;
  isAdmin: boolean;
  disabled: boolean;
  systemKeyAllowed: boolean;
  /** Providers with a personal key stored. */
  personalKeys: string[];
  chatsThisMonth: number;
  requestsThisMonth: number;
  tokensThisMonth: number;
  /** On the operator's keys, this month. */
  systemRequestsThisMonth: number;
  systemCostMicrosThisMonth: number;
};

function startOfUtcMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

const latest = (...dates: (Date | null | undefined)[]) =>
  dates.reduce<Date | null>((a, d) => (d && (!a || d > a) ? d : a), null);

export async function listUsersForAdmin(
  { db: client }: OperatorDeps = operatorDeps(),
  now = new Date(),
): Promise<AdminUserRow[]> {
  const since = startOfUtcMonth(now);
  const [users, chats, usage, system, lastUsage, lastAudit] = await Promise.all([
    client.user.findMany({
      orderBy: { createdAt: "asc" },
      take: 1000,
      select: {
        id: true,
        email: true,
        name: true,
        createdAt: true,
        isAdmin: true,
        disabledAt: true,
        systemKeyAllowed: true,
        keys: { select: { provider: true }, orderBy: { provider: "asc" } },
      },
    }),
    client.chat.groupBy({ by: ["userId"], where: { createdAt: { gte: since } }, _count: { _all: true } }),
    client.usageEvent.groupBy({
      by: ["userId"],
      where: { createdAt: { gte: since } },
      _count: { _all: true },
      _sum: { inputTokens: true, outputTokens: true },
    }),
    client.usageEvent.groupBy({
      by: ["userId"],
      where: { createdAt: { gte: since }, keySource: "system" },
      _count: { _all: true },
      _sum: { costMicros: true },
    }),
    client.usageEvent.groupBy({ by: ["userId"], _max: { createdAt: true } }),
    client.auditEvent.groupBy({ by: ["userId"], _max: { createdAt: true } }),
  ]);
  const by = <T extends { userId: string }>(rows: T[]) => new Map(rows.map((r) => [r.userId, r]));
  const [c, u, s, lu, la] = [by(chats), by(usage), by(system), by(lastUsage), by(lastAudit)];
  return users.map((x) => {
    const use = u.get(x.id);
    const sys = s.get(x.id);
    const last = latest(lu.get(x.id)?._max.createdAt, la.get(x.id)?._max.createdAt);
    return {
      id: x.id,
      email: x.email,
      name: x.name,
      createdAt: x.createdAt.toISOString(),
      lastActiveAt: last?.toISOString() ?? null,
      isAdmin: x.isAdmin,
      disabled: x.disabledAt !== null,
      systemKeyAllowed: x.systemKeyAllowed,
      personalKeys: x.keys.map((k) => k.provider),
      chatsThisMonth: c.get(x.id)?._count._all ?? 0,
      requestsThisMonth: use?._count._all ?? 0,
      tokensThisMonth: (use?._sum.inputTokens ?? 0) + (use?._sum.outputTokens ?? 0),
      systemRequestsThisMonth: sys?._count._all ?? 0,
      systemCostMicrosThisMonth: sys?._sum.costMicros ?? 0,
    };
  });
}
