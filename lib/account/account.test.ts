import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiToken } from "@/lib/api-tokens/tokens";
import { hashPassword } from "@/lib/auth/password";
import { saveKey } from "@/lib/keys/save";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { type CoveredModel, USER_DATA_COVERAGE } from "./coverage";
import { deleteAccount } from "./delete";
import type { AccountDeps } from "./deps";
import { exportUserData, promisedExportKeys } from "./export";
import {
  CONFIRM_EMAIL_PATH,
  confirmEmailChange,
  getProfile,
  requestEmailChange,
  updateDisplayName,
} from "./profile";
import { deleteInput, nameInput } from "./schemas";

vi.mock("server-only", () => ({}));

// lib/account against a real migrated database (the harness) and, for mailed email changes, a
// local SMTP sink (smtp-server) on a loopback port that records every message it receives.

let h: Harness;
let deps: AccountDeps;
let sink: SMTPServer;
let smtpUrl: string;
const inbox: { to: string[]; body: string }[] = [];
const PASSWORD = "correct horse battery staple";
const OPENAI_KEY = "sk-proj-exportSecretKeyAbcdefgh7Q7Q";

beforeAll(async () => {
  h = await startHarness();
  deps = {
    db: h.handle.prisma,
    smtpUrl: undefined,
    mailFrom: "BYOK Chat <no-reply@test.local>",
    appOrigin: "http://app.test",
  };
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString("utf8"),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => sink?.close(() => resolve()));
  await h?.close();
});

async function userWithPassword(): Promise<{ id: string; email: string }> {
  const email = `p${Math.random().toString(36).slice(2)}@test.local`;
  const u = await h.handle.prisma.user.create({
    data: { email, passwordHash: await hashPassword(PASSWORD) },
  });
  return { id: u.id, email };
}

/** The raw message as the sink got it: undo quoted-printable (soft line breaks, =XX escapes). */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Gives the user a row in every covered table (keys, chat + message, usage, audit, settings, OAuth, session, token). */
async function fillEverything(userId: string): Promise<{ ciphertext: string; apiToken: string }> {
  const db = h.handle.prisma;
  const { token: apiToken } = await createApiToken(userId, { name: "Export script" }, undefined, { db });
  await saveKey(userId, "openai", { apiKey: OPENAI_KEY }, { ip: "198.51.100.7" }, h.deps);
  const chat = await db.chat.create({ data: { userId, title: "Export me please" } });
  await db.message.create({
    data: {
      id: `m-${chat.id}`,
      chatId: chat.id,
      userId,
      role: "user",
      content: "hello from the export test",
    },
  });
  await db.usageEvent.create({
    data: { userId, provider: "openai", keySource: "user", model: "gpt-test", inputTokens: 3 },
  });
  await db.aiSettings.create({ data: { userId, defaultProvider: "openai", defaultModel: "gpt-test" } });
  await db.spendingLimit.create({
    data: { userId, provider: "openai", period: "day", unit: "usd", amount: 5_000_000n },
  });
  // A limit of one key (several keys per provider): exported with the key it belongs to.
  const own = await db.providerKey.findFirstOrThrow({ where: { userId, provider: "openai" } });
  await db.spendingLimit.create({
    data: {
      userId,
      provider: "openai",
      scope: own.id,
      keyId: own.id,
      period: "day",
      unit: "tokens",
      amount: 900n,
    },
  });
  await db.account.create({
    data: { userId, type: "oauth", provider: "github", providerAccountId: `gh-${userId}` },
  });
  await db.emailChangeToken.create({
    data: {
      userId,
      newEmail: `n-${userId}@test.local`,
      tokenHash: `hash-${userId}`,
      expiresAt: new Date(Date.now() + 60_000),
    },
  });
  await db.session.create({
    data: {
      userId,
      expiresAt: new Date(Date.now() + 60_000),
      device: "Firefox on Linux",
      ip: "198.51.100.7",
    },
  });
  const inAnHour = new Date(Date.now() + 3_600_000);
  const hash = () => randomBytes(32).toString("hex");
  await db.passwordResetToken.create({ data: { userId, tokenHash: hash(), expiresAt: inAnHour } });
  await db.emailVerificationToken.create({ data: { userId, tokenHash: hash(), expiresAt: inAnHour } });
  await db.invite.create({ data: { tokenHash: hash(), createdById: userId, expiresAt: inAnHour } });
  const key = await db.providerKey.findFirstOrThrow({ where: { userId, provider: "openai" } });
  return { ciphertext: key.ciphertext, apiToken };
}

/** Rows of the user in every covered table, read through each model's own delegate. */
async function rowsOf(userId: string): Promise<Record<CoveredModel, number>> {
  const db = h.handle.prisma as unknown as Record<string, { count(a: unknown): Promise<number> }>;
  const out = {} as Record<CoveredModel, number>;
  for (const model of Object.keys(USER_DATA_COVERAGE) as CoveredModel[]) {
    const delegate = db[model.charAt(0).toLowerCase() + model.slice(1)];
    if (!delegate) throw new Error(`no delegate for ${model}`);
    const where =
      model === "User"
        ? { id: userId }
        : model === "Invite"
          ? { OR: [{ createdById: userId }, { usedById: userId }] }
          : { userId };
    out[model] = await delegate.count({ where });
  }
  return out;
}

describe("export my data", () => {
  it("holds chats with messages, key metadata, usage, audit, settings — and no key material", async () => {
    const u = await userWithPassword();
    const { ciphertext, apiToken } = await fillEverything(u.id);
    const doc = await exportUserData(u.id, deps);
    const text = JSON.stringify(doc);

    expect(doc.account.email).toBe(u.email);
    expect(doc.chats).toHaveLength(1);
    expect(doc.chats[0]?.title).toBe("Export me please");
    expect(doc.chats[0]?.messages.map((m) => m.content)).toEqual(["hello from the export test"]);
    expect(doc.keys).toEqual([expect.objectContaining({ provider: "openai", preview: "sk-proj-…7Q7Q" })]);
    expect(doc.usage).toHaveLength(1);
    expect(doc.spendingLimits.map((l) => [l.unit, l.keyId])).toEqual([
      ["tokens", doc.keys[0]?.id],
      ["usd", null],
    ]);
    expect(doc.auditLog.map((a) => a.action)).toContain("key.added");
    expect(doc.settings?.defaultModel).toBe("gpt-test");
    for (const key of promisedExportKeys()) expect(doc, `export lacks "${key}"`).toHaveProperty(key);

    // Neither the key, nor its ciphertext (or a slice of it), nor the password hash or token hash.
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain(OPENAI_KEY.slice(8, -4));
    expect(text).not.toContain(ciphertext);
    expect(text).not.toContain(ciphertext.slice(10, 40));
    expect(text).not.toMatch(/\$argon2/);
    // API tokens: their metadata and preview, never the token or its hash.
    expect(doc.apiTokens).toEqual([
      expect.objectContaining({ name: "Export script", preview: `byok_…${apiToken.slice(-4)}` }),
    ]);
    expect(text).not.toContain(apiToken.slice(5, -4));
    const { tokenHash } = await h.handle.prisma.apiToken.findFirstOrThrow({ where: { userId: u.id } });
    expect(text).not.toContain(tokenHash);
    expect(text).not.toContain(`hash-${u.id}`);
    expect(text).not.toMatch(/"(ciphertext|kid|passwordHash|tokenHash)"/);
  });

  it("holds only the caller's rows", async () => {
    const a = await userWithPassword();
    const b = await userWithPassword();
    await fillEverything(b.id);
    const doc = await exportUserData(a.id, deps);
    expect(doc.chats).toEqual([]);
    expect(doc.keys).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain(b.id);
  });
});

describe("delete my account", () => {
  it("leaves 0 rows of the user in every table, keeps the others', records the deletion anonymously", async () => {
    const victim = await userWithPassword();
    const other = await userWithPassword();
    await fillEverything(victim.id);
    await fillEverything(other.id);
    const before = await rowsOf(victim.id);
    for (const [model, n] of Object.entries(before))
      expect(n, `${model} has no row to delete`).toBeGreaterThan(0);
    const otherBefore = await rowsOf(other.id);

    const { deletedAccountId, counts } = await deleteAccount(victim.id, { password: PASSWORD }, deps);

    const after = await rowsOf(victim.id);
    expect(
      Object.values(after).every((n) => n === 0),
      JSON.stringify(after),
    ).toBe(true);
    expect(await rowsOf(other.id)).toEqual(otherBefore);
    expect(counts).toEqual(before);
    const record = await h.handle.prisma.deletedAccount.findUniqueOrThrow({
      where: { id: deletedAccountId },
    });
    const recordText = JSON.stringify(record);
    expect(recordText).not.toContain(victim.id);
    expect(recordText).not.toContain(victim.email);
    // And the audit log holds nothing of the user either (rowsOf counted AuditEvent).
    expect(await codeOf(exportUserData(victim.id, deps))).toBe("UNAUTHORIZED");
  });

  it("refuses a wrong password and keeps everything", async () => {
    const u = await userWithPassword();
    await fillEverything(u.id);
    const before = await rowsOf(u.id);
    expect(await codeOf(deleteAccount(u.id, { password: "wrong password" }, deps))).toBe("VALIDATION_FAILED");
    expect(await codeOf(deleteAccount(u.id, { confirmEmail: u.email }, deps))).toBe("VALIDATION_FAILED");
    expect(await rowsOf(u.id)).toEqual(before);
  });

  it("an OAuth-only account (no password) confirms by typing its email", async () => {
    const id = await h.newUser();
    const { email } = await h.handle.prisma.user.findUniqueOrThrow({ where: { id } });
    expect(await codeOf(deleteAccount(id, { password: "anything" }, deps))).toBe("VALIDATION_FAILED");
    expect(await codeOf(deleteAccount(id, { confirmEmail: "someone@else.test" }, deps))).toBe(
      "VALIDATION_FAILED",
    );
    await deleteAccount(id, { confirmEmail: `  ${email.toUpperCase()} ` }, deps);
    expect((await rowsOf(id)).User).toBe(0);
  });

  it("the typed confirmation must be DELETE", () => {
    expect(deleteInput.safeParse({ password: "x", confirmation: "delete" }).success).toBe(false);
    expect(deleteInput.safeParse({ password: "x", confirmation: "DELETE" }).success).toBe(true);
  });
});

describe("display name", () => {
  it("is trimmed, length-checked and free of control characters; empty clears it", async () => {
    expect(nameInput.parse({ name: "  Ada   Lovelace " }).name).toBe("Ada Lovelace");
    expect(nameInput.safeParse({ name: "x".repeat(101) }).success).toBe(false);
    expect(nameInput.safeParse({ name: "bad\u0000name" }).success).toBe(false);
    expect(nameInput.safeParse({ name: "rtl\u202Etrick" }).success).toBe(false);
    const u = await userWithPassword();
    expect(await updateDisplayName(u.id, "Ada Lovelace", deps)).toBe("Ada Lovelace");
    expect((await getProfile(u.id, deps)).name).toBe("Ada Lovelace");
    expect(await updateDisplayName(u.id, "", deps)).toBeNull();
    expect((await getProfile(u.id, deps)).name).toBeNull();
  });
});

describe("email change", () => {
  it("without SMTP applies at once after the password check", async () => {
    const u = await userWithPassword();
    const to = `new-${u.id}@test.local`;
    expect(await codeOf(requestEmailChange(u.id, { newEmail: to, password: "nope" }, undefined, deps))).toBe(
      "VALIDATION_FAILED",
    );
    expect((await getProfile(u.id, deps)).email).toBe(u.email);
    expect(await requestEmailChange(u.id, { newEmail: to, password: PASSWORD }, undefined, deps)).toEqual({
      status: "changed",
      email: to,
    });
    expect((await getProfile(u.id, deps)).email).toBe(to);
  });

  it("refuses an address another account has", async () => {
    const a = await userWithPassword();
    const b = await userWithPassword();
    expect(
      await codeOf(requestEmailChange(a.id, { newEmail: b.email, password: PASSWORD }, undefined, deps)),
    ).toBe("CONFLICT");
  });

  it("with SMTP applies only after the mailed link is followed, once, by the same user", async () => {
    const mailDeps = { ...deps, smtpUrl };
    const u = await userWithPassword();
    const intruder = await userWithPassword();
    const to = `mailed-${u.id}@test.local`;
    const sent = inbox.length;
    expect(await requestEmailChange(u.id, { newEmail: to, password: PASSWORD }, undefined, mailDeps)).toEqual(
      {
        status: "pending",
        email: to,
      },
    );
    expect((await getProfile(u.id, mailDeps)).email).toBe(u.email);
    expect((await getProfile(u.id, mailDeps)).pendingEmail).toBe(to);

    const mail = inbox.slice(sent).find((m) => m.to.includes(to));
    expect(mail, "no mail reached the sink").toBeDefined();
    const body = decodeQuotedPrintable(mail?.body ?? "");
    const link = new RegExp(`http://app\\.test${CONFIRM_EMAIL_PATH}\\?token=([A-Za-z0-9_-]{43})`).exec(body);
    expect(link, body).not.toBeNull();
    const token = link?.[1] as string;

    expect(await codeOf(confirmEmailChange(intruder.id, token, undefined, mailDeps))).toBe("NOT_FOUND");
    expect(await confirmEmailChange(u.id, token, undefined, mailDeps)).toEqual({
      status: "changed",
      email: to,
    });
    const row = await h.handle.prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.email).toBe(to);
    expect(row.emailVerified).not.toBeNull();
    expect(await codeOf(confirmEmailChange(u.id, token, undefined, mailDeps))).toBe("NOT_FOUND");
  });

  it("an expired link does nothing", async () => {
    const mailDeps = { ...deps, smtpUrl };
    const u = await userWithPassword();
    const to = `late-${u.id}@test.local`;
    const sent = inbox.length;
    await requestEmailChange(u.id, { newEmail: to, password: PASSWORD }, undefined, mailDeps);
    const body = decodeQuotedPrintable(inbox.slice(sent).find((m) => m.to.includes(to))?.body ?? "");
    const token = /token=([A-Za-z0-9_-]{43})/.exec(body)?.[1] as string;
    await h.handle.prisma.emailChangeToken.updateMany({
      where: { userId: u.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await codeOf(confirmEmailChange(u.id, token, undefined, mailDeps))).toBe("NOT_FOUND");
    expect((await getProfile(u.id, mailDeps)).email).toBe(u.email);
  });
});
