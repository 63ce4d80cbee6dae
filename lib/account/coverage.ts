import type { Prisma } from "@/lib/db/generated/client";

// Every model that holds a user's data, and what "export my data" and "delete my account" do
// with it. coverage.test.ts walks prisma/schema.prisma and fails when a model that references
// User (a relation to User, or a userId column) is missing here, so a new table cannot hold
// user data that the export forgets or the deletion leaves behind.
//
// `export`: the key of the export's JSON that carries the rows, or why they are left out.
// `remove`: deletes the user's rows and returns how many went (counts for DeletedAccount).
// Deletion runs the entries in this order, children before parents, then the User row itself.

type Tx = Prisma.TransactionClient;

export type CoverageEntry = {
  export: { key: string } | { excluded: string };
  remove: (tx: Tx, userId: string) => Promise<number>;
};

const count = (p: Promise<{ count: number }>) => p.then((r) => r.count);

export const USER_DATA_COVERAGE = {
  Message: {
    export: { key: "chats[].messages" },
    remove: (tx, userId) => count(tx.message.deleteMany({ where: { userId } })),
  },
  Chat: {
    export: { key: "chats" },
    remove: (tx, userId) => count(tx.chat.deleteMany({ where: { userId } })),
  },
  UsageEvent: {
    export: { key: "usage" },
    remove: (tx, userId) => count(tx.usageEvent.deleteMany({ where: { userId } })),
  },
  AuditEvent: {
    export: { key: "auditLog" },
    remove: (tx, userId) => count(tx.auditEvent.deleteMany({ where: { userId } })),
  },
  // Before ProviderKey: a key's own limits are its children (deleted with it by cascade, and
  // then not counted for DeletedAccount).
  SpendingLimit: {
    export: { key: "spendingLimits" },
    remove: (tx, userId) => count(tx.spendingLimit.deleteMany({ where: { userId } })),
  },
  ProviderKey: {
    // Metadata only: what AI settings shows (masked preview, label, base URL, status, dates).
    export: { key: "keys" },
    remove: (tx, userId) => count(tx.providerKey.deleteMany({ where: { userId } })),
  },
  AiSettings: {
    export: { key: "settings" },
    remove: (tx, userId) => count(tx.aiSettings.deleteMany({ where: { userId } })),
  },
  Account: {
    export: { key: "signInMethods" },
    remove: (tx, userId) => count(tx.account.deleteMany({ where: { userId } })),
  },
  Session: {
    // Device, address and times of each sign-in (what the sessions list shows).
    export: { key: "sessions" },
    remove: (tx, userId) => count(tx.session.deleteMany({ where: { userId } })),
  },
  EmailChangeToken: {
    export: { key: "pendingEmailChange" },
    remove: (tx, userId) => count(tx.emailChangeToken.deleteMany({ where: { userId } })),
  },
  ApiToken: {
    // Metadata only: name, preview (byok_…last4), scope and dates; never the token's hash.
    export: { key: "apiTokens" },
    remove: (tx, userId) => count(tx.apiToken.deleteMany({ where: { userId } })),
  },
  PasswordResetToken: {
    // Only a hash of a one-time link an admin made for this user, and its times.
    export: { excluded: "a hash of a single-use reset link; nothing the person wrote or chose" },
    remove: (tx, userId) => count(tx.passwordResetToken.deleteMany({ where: { userId } })),
  },
  EmailVerificationToken: {
    export: { excluded: "a hash of the single-use link a sign-up mailed; nothing the person wrote or chose" },
    remove: (tx, userId) => count(tx.emailVerificationToken.deleteMany({ where: { userId } })),
  },
  Invite: {
    // Invites belong to the instance; only who made or used one points at a person.
    export: { excluded: "instance invites; the links to this user are cleared on deletion" },
    remove: async (tx, userId) =>
      (await count(tx.invite.updateMany({ where: { createdById: userId }, data: { createdById: null } }))) +
      (await count(tx.invite.updateMany({ where: { usedById: userId }, data: { usedById: null } }))),
  },
  User: {
    export: { key: "account" },
    remove: (tx, userId) => count(tx.user.deleteMany({ where: { id: userId } })),
  },
} satisfies Record<string, CoverageEntry>;

export type CoveredModel = keyof typeof USER_DATA_COVERAGE;
