import { AppError } from "@/lib/errors";
import { PUBLIC_KEY_COLUMNS } from "@/lib/keys/dto";
import { USER_DATA_COVERAGE } from "./coverage";
import { type AccountDeps, accountDeps } from "./deps";

// "Export my data": everything the app holds about the user, as one JSON document. Key material
// never leaves: a stored key appears as AI settings shows it (provider, label, base URL, the
// masked preview prefix…last4, status, dates); no ciphertext, no key id of the master keyring.

export const EXPORT_FORMAT = "byok-chat-export";
export const EXPORT_VERSION = 1;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function exportUserData(userId: string, deps: AccountDeps = accountDeps()) {
  const db = deps.db;
  const user = await db.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      image: true,
      emailVerified: true,
      passwordHash: true,
      createdAt: true,
      updatedAt: true,
    },
  });
  if (!user) throw new AppError("UNAUTHORIZED");

  const [identities, keys, settings, chats, usage, audit, pending, sessions, tokens, limits] =
    await Promise.all([
      db.account.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: { provider: true, type: true, providerAccountId: true, createdAt: true },
      }),
      // The columns AI settings shows (lib/keys/dto.ts): never the ciphertext or the keyring's key id.
      db.providerKey.findMany({
        where: { userId },
        orderBy: { provider: "asc" },
        select: PUBLIC_KEY_COLUMNS,
      }),
      db.aiSettings.findUnique({
        where: { userId },
        select: { defaultProvider: true, defaultModel: true, systemPrompt: true, updatedAt: true },
      }),
      db.chat.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          title: true,
          provider: true,
          model: true,
          systemPrompt: true,
          temperature: true,
          maxOutputTokens: true,
          createdAt: true,
          updatedAt: true,
          messages: {
            where: { userId },
            // The chat's own order (lib/chat/persist.ts); answers name the message they answer.
            orderBy: { seq: "asc" },
            select: {
              id: true,
              role: true,
              content: true,
              parts: true,
              provider: true,
              model: true,
              keySource: true,
              inputTokens: true,
              outputTokens: true,
              reasoningTokens: true,
              params: true,
              status: true,
              errorCode: true,
              replyToId: true,
              createdAt: true,
            },
          },
        },
      }),
      db.usageEvent.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          provider: true,
          keySource: true,
          model: true,
          messageId: true,
          inputTokens: true,
          outputTokens: true,
          reasoningTokens: true,
          costMicros: true,
          createdAt: true,
        },
      }),
      db.auditEvent.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          action: true,
          provider: true,
          last4: true,
          ip: true,
          userAgent: true,
          detail: true,
          createdAt: true,
        },
      }),
      db.emailChangeToken.findMany({
        where: { userId, usedAt: null, expiresAt: { gt: new Date() } },
        select: { newEmail: true, expiresAt: true, createdAt: true },
      }),
      db.session.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          device: true,
          userAgent: true,
          ip: true,
          createdAt: true,
          lastSeenAt: true,
          expiresAt: true,
          revokedAt: true,
        },
      }),
      // What AI settings shows of a token (lib/api-tokens): never its hash.
      db.apiToken.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          name: true,
          last4: true,
          readOnly: true,
          providers: true,
          models: true,
          createdAt: true,
          lastUsedAt: true,
          expiresAt: true,
          revokedAt: true,
        },
      }),
      db.spendingLimit.findMany({
        where: { userId },
        orderBy: [{ provider: "asc" }, { period: "asc" }, { unit: "asc" }],
        // keyId: a limit of that key alone (null: the provider's, every key's use together).
        select: { provider: true, keyId: true, period: true, unit: true, amount: true, updatedAt: true },
      }),
    ]);

  const { passwordHash, ...account } = user;
  const doc = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    account: {
      ...account,
      emailVerified: iso(account.emailVerified),
      createdAt: iso(account.createdAt),
      updatedAt: iso(account.updatedAt),
      hasPassword: passwordHash !== null,
    },
    signInMethods: identities.map((a) => ({ ...a, createdAt: iso(a.createdAt) })),
    keys: keys.map(({ prefix, last4, ...k }) => ({
      ...k,
      preview: k.keyless ? "No key" : `${prefix}…${last4}`,
      createdAt: iso(k.createdAt),
      updatedAt: iso(k.updatedAt),
      lastUsedAt: iso(k.lastUsedAt),
      lastTestedAt: iso(k.lastTestedAt),
    })),
    settings: settings ? { ...settings, updatedAt: iso(settings.updatedAt) } : null,
    chats: chats.map((c) => ({
      ...c,
      createdAt: iso(c.createdAt),
      updatedAt: iso(c.updatedAt),
      messages: c.messages.map((m) => ({ ...m, createdAt: iso(m.createdAt) })),
    })),
    usage: usage.map((u) => ({ ...u, createdAt: iso(u.createdAt) })),
    auditLog: audit.map((a) => ({ ...a, createdAt: iso(a.createdAt) })),
    // The token's hash is not the user's data and would only help to forge the link: left out.
    // Amounts: micro-dollars for "usd", tokens for "tokens" (a BigInt column: JSON has no BigInt).
    spendingLimits: limits.map((l) => ({ ...l, amount: Number(l.amount), updatedAt: iso(l.updatedAt) })),
    sessions: sessions.map((x) => ({
      ...x,
      createdAt: iso(x.createdAt),
      lastSeenAt: iso(x.lastSeenAt),
      expiresAt: iso(x.expiresAt),
      revokedAt: iso(x.revokedAt),
    })),
    apiTokens: tokens.map(({ last4, ...t }) => ({
      ...t,
      preview: `byok_…${last4}`,
      createdAt: iso(t.createdAt),
      lastUsedAt: iso(t.lastUsedAt),
      expiresAt: iso(t.expiresAt),
      revokedAt: iso(t.revokedAt),
    })),
    pendingEmailChange: pending.map((p) => ({
      ...p,
      expiresAt: iso(p.expiresAt),
      createdAt: iso(p.createdAt),
    })),
  };
  return doc;
}

export type UserDataExport = Awaited<ReturnType<typeof exportUserData>>;

/** The top-level keys the coverage table promises (checked by coverage.test.ts against a real export). */
export function promisedExportKeys(): string[] {
  return Object.values(USER_DATA_COVERAGE).flatMap((c) =>
    "key" in c.export ? [c.export.key.split("[")[0] as string] : [],
  );
}
