import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { type Harness, startHarness } from "./test-support";

// lib/ai marks its server modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

// The key lifecycle against a real (PGlite) database, real encryption and the real mock
// upstream: save → list (masked only) → test → toggle → remove, with the audit trail.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const ctx = { ip: "203.0.113.9", userAgent: "vitest-agent" };
const OK_KEY = "sk-proj-okKeyAbcdefghijklmnop7Q2z";
const INVALID_KEY = "sk-proj-invalidKeyAbcdefghij9W8x";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error("expected an AppError");
}

/** Every string the vault hands out for this user, to search for key material. */
async function everythingReturned(userId: string): Promise<string> {
  const [keys, audit, usable, defaults] = await Promise.all([
    h.vault.listKeys(userId),
    h.vault.listAudit(userId, { limit: 100 }),
    h.vault.usableProviders(userId),
    h.vault.getDefaults(userId),
  ]);
  return JSON.stringify({ keys, audit, usable, defaults });
}

describe("key lifecycle", () => {
  it("saves, lists masked, tests, toggles and removes a key, auditing each change", async () => {
    const user = await h.newUser();
    const empty = await h.vault.listKeys(user);
    expect(empty.map((k) => k.provider)).toEqual(["openai", "groq", "google", "compatible"]);
    expect(empty.every((k) => k.status === "not_set" && k.preview === null && !k.hasKey)).toBe(true);

    const saved = await h.vault.saveKey(user, { provider: "openai", apiKey: OK_KEY }, ctx);
    expect(saved).toMatchObject({ provider: "openai", status: "untested", enabled: true, hasKey: true });
    expect(saved.preview).toBe("sk-proj-…7Q2z");

    const [openai] = await h.vault.listKeys(user);
    expect(openai).toMatchObject({
      status: "untested",
      preview: "sk-proj-…7Q2z",
      last4: "7Q2z",
      chatSource: "personal",
    });
    expect(openai?.createdAt).toEqual(expect.any(String));

    const tested = await h.vault.testKey(user, "openai", {}, ctx);
    expect(tested).toMatchObject({ result: "valid", status: "active", tested: "stored" });
    expect(tested.ms).toEqual(expect.any(Number));
    const afterTest = (await h.vault.listKeys(user))[0];
    expect(afterTest).toMatchObject({ status: "active", lastTestMs: tested.ms });
    expect(afterTest?.lastTestedAt).toEqual(expect.any(String));
    // A test is not an edit of the key.
    expect(afterTest?.updatedAt).toBe(openai?.updatedAt);

    const off = await h.vault.setKeyEnabled(user, "openai", false, ctx);
    expect(off).toMatchObject({ status: "disabled", enabled: false, hasKey: true, preview: "sk-proj-…7Q2z" });
    const on = await h.vault.setKeyEnabled(user, "openai", true, ctx);
    expect(on).toMatchObject({ status: "active", enabled: true });

    const removed = await h.vault.removeKey(user, "openai", ctx);
    expect(removed).toMatchObject({ status: "not_set", hasKey: false });
    expect(await h.handle.prisma.providerKey.count({ where: { userId: user } })).toBe(0);
    expect(await codeOf(h.vault.removeKey(user, "openai", ctx))).toBe("NOT_FOUND");

    const { items } = await h.vault.listAudit(user, { limit: 50 });
    expect(items.map((e) => e.action).reverse()).toEqual([
      "key.added",
      "key.tested",
      "key.disabled",
      "key.enabled",
      "key.removed",
    ]);
    expect(items.every((e) => e.provider === "openai" && e.last4 === "7Q2z")).toBe(true);
    expect(items[0]).toMatchObject({ ip: "203.0.113.9", userAgent: "vitest-agent" });
    expect(items.find((e) => e.action === "key.tested")?.detail).toMatchObject({
      result: "valid",
      saved: true,
    });
  });

  it("replacing a key bumps its version, resets its status and audits key.replaced", async () => {
    const user = await h.newUser();
    await h.vault.saveKey(user, { provider: "groq", apiKey: "gsk_firstKeyAbcdefghijkl1111" }, ctx);
    await h.vault.testKey(user, "groq", {}, ctx);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({
      where: { userId: user, provider: "groq" },
    });
    expect(before.status).toBe("VALID");

    const replaced = await h.vault.saveKey(
      user,
      { provider: "groq", apiKey: "gsk_secondKeyAbcdefghijk2222" },
      ctx,
    );
    expect(replaced).toMatchObject({ status: "untested", preview: "gsk_…2222", lastTestedAt: null });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({
      where: { userId: user, provider: "groq" },
    });
    expect(after.version).toBe(before.version + 1);
    expect(after.ciphertext).not.toBe(before.ciphertext);
    expect(after.id).toBe(before.id);
    const actions = (await h.vault.listAudit(user)).items.map((e) => e.action);
    expect(actions).toEqual(["key.replaced", "key.tested", "key.added"]);
  });

  it("a failed test records the status but keeps the saved key material", async () => {
    const user = await h.newUser();
    await h.vault.saveKey(user, { provider: "openai", apiKey: INVALID_KEY }, ctx);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    const tested = await h.vault.testKey(user, "openai", {}, ctx);
    expect(tested).toMatchObject({ result: "invalid_key", status: "invalid" });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    expect(after).toMatchObject({
      ciphertext: before.ciphertext,
      version: before.version,
      last4: before.last4,
      status: "INVALID",
    });
    const audit = (await h.vault.listAudit(user)).items[0];
    expect(audit).toMatchObject({ action: "key.tested", detail: { result: "invalid_key", saved: true } });
  });

  it.each([
    ["sk-proj-quotaKeyAbcdefghijkl0001", "no_credit"],
    ["sk-proj-ratelimitKeyAbcdefghi0002", "rate_limited"],
  ])("classifies %s as %s", async (apiKey, result) => {
    const user = await h.newUser();
    await h.vault.saveKey(user, { provider: "openai", apiKey }, ctx);
    const tested = await h.vault.testKey(user, "openai", {}, ctx);
    expect(tested.result).toBe(result);
    expect(tested.status).toBe(result);
  });

  it("tests a typed key without saving it or touching the stored one", async () => {
    const user = await h.newUser();
    await h.vault.saveKey(user, { provider: "openai", apiKey: OK_KEY }, ctx);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    const typed = await h.vault.testKey(user, "openai", { apiKey: INVALID_KEY }, ctx);
    expect(typed).toMatchObject({ result: "invalid_key", status: null, tested: "supplied" });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    expect(after).toEqual(before);
    const audit = (await h.vault.listAudit(user)).items[0];
    expect(audit).toMatchObject({ action: "key.tested", last4: "9W8x", detail: { saved: false } });

    const fresh = await h.newUser();
    expect((await h.vault.testKey(fresh, "groq", { apiKey: "gsk_typedOnlyAbcdefghijkl3333" })).result).toBe(
      "valid",
    );
    expect(await h.handle.prisma.providerKey.count({ where: { userId: fresh } })).toBe(0);
  });

  it("stores and tests an OpenAI-compatible key with its name and base URL", async () => {
    const user = await h.newUser();
    const saved = await h.vault.saveKey(
      user,
      {
        provider: "compatible",
        apiKey: "ollama-key",
        baseUrl: `${h.mock.baseUrls.compatible}/`,
        label: "My Ollama",
      },
      ctx,
    );
    expect(saved).toMatchObject({
      label: "My Ollama",
      baseUrl: h.mock.baseUrls.compatible,
      systemKeyAvailable: false,
    });
    // Too short for a tail to be shown: the preview reveals nothing.
    expect(saved.preview).toBe("…");
    expect((await h.vault.testKey(user, "compatible")).result).toBe("valid");
  });

  it("refuses bad input with VALIDATION_FAILED and unknown providers or missing keys with NOT_FOUND", async () => {
    const user = await h.newUser();
    const save = (input: Parameters<typeof h.vault.saveKey>[1]) => codeOf(h.vault.saveKey(user, input, ctx));
    expect(await save({ provider: "openai", apiKey: "" })).toBe("VALIDATION_FAILED");
    expect(await save({ provider: "openai", apiKey: "sk-has space in it 1234" })).toBe("VALIDATION_FAILED");
    expect(await save({ provider: "openai", apiKey: "gsk_wrongProviderKey12345" })).toBe("VALIDATION_FAILED");
    expect(await save({ provider: "openai", apiKey: OK_KEY, baseUrl: "https://evil.example/v1" })).toBe(
      "VALIDATION_FAILED",
    );
    expect(await save({ provider: "compatible", apiKey: "abc12345" })).toBe("VALIDATION_FAILED");
    expect(await save({ provider: "compatible", apiKey: "abc12345", baseUrl: "ftp://x.example" })).toBe(
      "VALIDATION_FAILED",
    );
    expect(await save({ provider: "anthropic", apiKey: OK_KEY })).toBe("NOT_FOUND");
    expect(await save({ provider: "openai", apiKey: OK_KEY, extra: 1 } as never)).toBe("VALIDATION_FAILED");
    expect(await codeOf(h.vault.testKey(user, "openai"))).toBe("NOT_FOUND");
    expect(await codeOf(h.vault.setKeyEnabled(user, "groq", false))).toBe("NOT_FOUND");
    expect(await codeOf(h.vault.testKey(user, "nope"))).toBe("NOT_FOUND");
    // The stored key is never sent to a newly typed URL.
    await h.vault.saveKey(user, {
      provider: "compatible",
      apiKey: "abc12345",
      baseUrl: h.mock.baseUrls.compatible,
    });
    expect(
      await codeOf(h.vault.testKey(user, "compatible", { baseUrl: "https://elsewhere.example/v1" })),
    ).toBe("VALIDATION_FAILED");
    expect(await h.handle.prisma.auditEvent.count({ where: { userId: user } })).toBe(1);
  });

  it("returns nothing of a saved key beyond its last 4 characters", async () => {
    const user = await h.newUser();
    const keys = {
      openai: "sk-proj-SECRETxMIDDLEyPARTzOPENAIqq1A",
      groq: "gsk_SECRETxMIDDLEyPARTzGROQqqqqqq2B",
      google: "AIzaSECRETxMIDDLEyPARTzGOOGLEqqq3C",
      compatible: "SECRETxMIDDLEyPARTzCOMPATqqqqqqq4D",
    };
    const returned: unknown[] = [];
    for (const [provider, apiKey] of Object.entries(keys)) {
      const baseUrl = provider === "compatible" ? h.mock.baseUrls.compatible : undefined;
      returned.push(await h.vault.saveKey(user, { provider, apiKey, ...(baseUrl ? { baseUrl } : {}) }, ctx));
      returned.push(await h.vault.testKey(user, provider, {}, ctx));
      returned.push(await h.vault.setKeyEnabled(user, provider, false, ctx));
      returned.push(await h.vault.setKeyEnabled(user, provider, true, ctx));
    }
    const text = JSON.stringify(returned) + (await everythingReturned(user));
    for (const apiKey of Object.values(keys)) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(apiKey.slice(0, -4)); // everything but the tail
      expect(text).not.toContain("SECRET");
      expect(text).not.toContain("MIDDLE");
    }
    const rows = await h.handle.prisma.providerKey.findMany({ where: { userId: user } });
    for (const row of rows) expect(text).not.toContain(row.ciphertext);
    expect(text).toContain("…qq1A");
    // The mock's leaky error text never reaches the caller either.
    expect(text).not.toContain("LEAKY");
  });

  it("pages the audit log with an opaque cursor that stays within the user's rows", async () => {
    const user = await h.newUser();
    const other = await h.newUser();
    await h.vault.saveKey(other, { provider: "openai", apiKey: OK_KEY }, ctx);
    await h.vault.saveKey(user, { provider: "openai", apiKey: OK_KEY }, ctx);
    for (const enabled of [false, true, false, true])
      await h.vault.setKeyEnabled(user, "openai", enabled, ctx);
    const first = await h.vault.listAudit(user, { limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await h.vault.listAudit(user, { limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((e) => e.action)).toEqual(["key.disabled", "key.added"]);
    expect(second.nextCursor).toBeNull();
    expect(await codeOf(h.vault.listAudit(user, { cursor: "garbage" }))).toBe("VALIDATION_FAILED");
  });
});

describe("defaults for new chats", () => {
  it("stores a provider and one of its models, and refuses a model of another provider", async () => {
    const user = await h.newUser();
    expect(await h.vault.getDefaults(user)).toMatchObject({ provider: "openai", saved: false });
    await h.vault.setDefaults(user, { provider: "groq", model: "llama-3.1-8b-instant" });
    expect(await h.vault.getDefaults(user)).toEqual({
      provider: "groq",
      model: "llama-3.1-8b-instant",
      saved: true,
    });
    expect(await codeOf(h.vault.setDefaults(user, { provider: "groq", model: "gpt-5" }))).toBe(
      "VALIDATION_FAILED",
    );
    expect(await codeOf(h.vault.setDefaults(user, { provider: "x", model: "gpt-5" }))).toBe(
      "VALIDATION_FAILED",
    );
    await h.vault.setDefaults(user, { provider: "compatible", model: "llama3.2:3b" });
    expect(await h.vault.getDefaults(user)).toMatchObject({ provider: "compatible", model: "llama3.2:3b" });
  });
});
