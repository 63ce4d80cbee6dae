import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { listAudit } from "./audit";
import { listKeys, removeKey, setKeyEnabled } from "./manage";
import { testKey } from "./probe";
import { usableProviders } from "./resolve";
import { saveKey } from "./save";
import type { SaveKeyInput } from "./schemas";
import { getDefaults, setDefaults } from "./settings";

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

/** Every string the vault hands out for this user, to search for key material. */
async function everythingReturned(userId: string): Promise<string> {
  const [keys, audit, usable, defaults] = await Promise.all([
    listKeys(userId, h.deps),
    listAudit(userId, { limit: 100 }, h.deps),
    usableProviders(userId, h.deps),
    getDefaults(userId, h.deps),
  ]);
  return JSON.stringify({ keys, audit, usable, defaults });
}

describe("key lifecycle", () => {
  it("saves, lists masked, tests, toggles and removes a key, auditing each change", async () => {
    const user = await h.newUser();
    const empty = await listKeys(user, h.deps);
    expect(empty.map((k) => k.provider)).toEqual(["openai", "groq", "google", "compatible"]);
    expect(empty.every((k) => k.status === "not_set" && k.preview === null && !k.hasKey)).toBe(true);

    const saved = await saveKey(user, "openai", { apiKey: OK_KEY }, ctx, h.deps);
    expect(saved).toMatchObject({ provider: "openai", status: "untested", enabled: true, hasKey: true });
    expect(saved.preview).toBe("sk-proj-…7Q2z");

    const [openai] = await listKeys(user, h.deps);
    expect(openai).toMatchObject({
      status: "untested",
      preview: "sk-proj-…7Q2z",
      last4: "7Q2z",
      chatSource: "personal",
    });
    expect(openai?.createdAt).toEqual(expect.any(String));

    const tested = await testKey(user, "openai", {}, ctx, h.deps);
    expect(tested).toMatchObject({ result: "valid", status: "active", tested: "stored" });
    expect(tested.ms).toEqual(expect.any(Number));
    const afterTest = (await listKeys(user, h.deps))[0];
    expect(afterTest).toMatchObject({ status: "active", lastTestMs: tested.ms });
    expect(afterTest?.lastTestedAt).toEqual(expect.any(String));
    // A test is not an edit of the key.
    expect(afterTest?.updatedAt).toBe(openai?.updatedAt);

    const off = await setKeyEnabled(user, "openai", false, ctx, h.deps);
    expect(off).toMatchObject({ status: "disabled", enabled: false, hasKey: true, preview: "sk-proj-…7Q2z" });
    const on = await setKeyEnabled(user, "openai", true, ctx, h.deps);
    expect(on).toMatchObject({ status: "active", enabled: true });

    const removed = await removeKey(user, "openai", ctx, h.deps);
    expect(removed).toMatchObject({ status: "not_set", hasKey: false });
    expect(await h.handle.prisma.providerKey.count({ where: { userId: user } })).toBe(0);
    expect(await codeOf(removeKey(user, "openai", ctx, h.deps))).toBe("NOT_FOUND");

    const { items } = await listAudit(user, { limit: 50 }, h.deps);
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
    await saveKey(user, "groq", { apiKey: "gsk_firstKeyAbcdefghijkl1111" }, ctx, h.deps);
    await testKey(user, "groq", {}, ctx, h.deps);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({
      where: { userId: user, provider: "groq" },
    });
    expect(before.status).toBe("VALID");

    const replaced = await saveKey(user, "groq", { apiKey: "gsk_secondKeyAbcdefghijk2222" }, ctx, h.deps);
    expect(replaced).toMatchObject({ status: "untested", preview: "gsk_…2222", lastTestedAt: null });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({
      where: { userId: user, provider: "groq" },
    });
    expect(after.version).toBe(before.version + 1);
    expect(after.ciphertext).not.toBe(before.ciphertext);
    expect(after.id).toBe(before.id);
    const actions = (await listAudit(user, undefined, h.deps)).items.map((e) => e.action);
    expect(actions).toEqual(["key.replaced", "key.tested", "key.added"]);
  });

  it("a failed test records the status but keeps the saved key material", async () => {
    const user = await h.newUser();
    await saveKey(user, "openai", { apiKey: INVALID_KEY }, ctx, h.deps);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    const tested = await testKey(user, "openai", {}, ctx, h.deps);
    expect(tested).toMatchObject({ result: "invalid_key", status: "invalid" });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    expect(after).toMatchObject({
      ciphertext: before.ciphertext,
      version: before.version,
      last4: before.last4,
      status: "INVALID",
    });
    const audit = (await listAudit(user, undefined, h.deps)).items[0];
    expect(audit).toMatchObject({ action: "key.tested", detail: { result: "invalid_key", saved: true } });
  });

  it.each([
    ["sk-proj-quotaKeyAbcdefghijkl0001", "no_credit"],
    ["sk-proj-ratelimitKeyAbcdefghi0002", "rate_limited"],
  ])("classifies %s as %s", async (apiKey, result) => {
    const user = await h.newUser();
    await saveKey(user, "openai", { apiKey }, ctx, h.deps);
    const tested = await testKey(user, "openai", {}, ctx, h.deps);
    expect(tested.result).toBe(result);
    expect(tested.status).toBe(result);
  });

  it("tests a typed key without saving it or touching the stored one", async () => {
    const user = await h.newUser();
    await saveKey(user, "openai", { apiKey: OK_KEY }, ctx, h.deps);
    const before = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    const typed = await testKey(user, "openai", { apiKey: INVALID_KEY }, ctx, h.deps);
    expect(typed).toMatchObject({ result: "invalid_key", status: null, tested: "supplied" });
    const after = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user } });
    expect(after).toEqual(before);
    const audit = (await listAudit(user, undefined, h.deps)).items[0];
    expect(audit).toMatchObject({ action: "key.tested", last4: "9W8x", detail: { saved: false } });

    const fresh = await h.newUser();
    expect(
      (await testKey(fresh, "groq", { apiKey: "gsk_typedOnlyAbcdefghijkl3333" }, undefined, h.deps)).result,
    ).toBe("valid");
    expect(await h.handle.prisma.providerKey.count({ where: { userId: fresh } })).toBe(0);
  });

  it("stores and tests an OpenAI-compatible key with its name and base URL", async () => {
    const user = await h.newUser();
    const saved = await saveKey(
      user,
      "compatible",
      { apiKey: "ollama-key", baseUrl: `${h.mock.baseUrls.compatible}/`, label: "My Ollama" },
      ctx,
      h.deps,
    );
    expect(saved).toMatchObject({
      label: "My Ollama",
      baseUrl: h.mock.baseUrls.compatible,
      systemKeyAvailable: false,
    });
    // Too short for a tail to be shown: the preview reveals nothing.
    expect(saved.preview).toBe("…");
    expect((await testKey(user, "compatible", undefined, undefined, h.deps)).result).toBe("valid");
  });

  it("refuses input that passed the boundary but breaks a provider's rules, and missing keys with NOT_FOUND", async () => {
    const user = await h.newUser();
    const save = (provider: ProviderId, input: SaveKeyInput) =>
      codeOf(saveKey(user, provider, input, ctx, h.deps));
    expect(await save("openai", { apiKey: "gsk_wrongProviderKey12345" })).toBe("VALIDATION_FAILED");
    expect(await save("openai", { apiKey: OK_KEY, baseUrl: "https://evil.example/v1" })).toBe(
      "VALIDATION_FAILED",
    );
    expect(await save("compatible", { apiKey: "abc12345" })).toBe("VALIDATION_FAILED");
    expect(await save("compatible", { apiKey: "abc12345", baseUrl: "ftp://x.example" })).toBe(
      "VALIDATION_FAILED",
    );
    expect(await codeOf(testKey(user, "openai", {}, undefined, h.deps))).toBe("NOT_FOUND");
    expect(await codeOf(setKeyEnabled(user, "groq", false, undefined, h.deps))).toBe("NOT_FOUND");
    expect(await h.handle.prisma.auditEvent.count({ where: { userId: user } })).toBe(0);
  });

  it("tests the stored key only at its stored base URL, whatever URL comes with the request", async () => {
    const user = await h.newUser();
    await h.saveCompatibleKey(user, "abc12345", ctx);
    const before = h.mock.requests().length;
    const report = await testKey(
      user,
      "compatible",
      { baseUrl: "http://elsewhere.invalid/v1" },
      undefined,
      h.deps,
    );
    // elsewhere.invalid cannot resolve: a valid result means the mock (the stored URL) answered.
    expect(report).toMatchObject({ result: "valid", tested: "stored" });
    expect(h.mock.requests().length).toBeGreaterThan(before);
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
    for (const [provider, apiKey] of Object.entries(keys) as [ProviderId, string][]) {
      const baseUrl = provider === "compatible" ? h.mock.baseUrls.compatible : undefined;
      returned.push(await saveKey(user, provider, { apiKey, ...(baseUrl ? { baseUrl } : {}) }, ctx, h.deps));
      returned.push(await testKey(user, provider, {}, ctx, h.deps));
      returned.push(await setKeyEnabled(user, provider, false, ctx, h.deps));
      returned.push(await setKeyEnabled(user, provider, true, ctx, h.deps));
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
    await saveKey(other, "openai", { apiKey: OK_KEY }, ctx, h.deps);
    await saveKey(user, "openai", { apiKey: OK_KEY }, ctx, h.deps);
    for (const enabled of [false, true, false, true])
      await setKeyEnabled(user, "openai", enabled, ctx, h.deps);
    const first = await listAudit(user, { limit: 3 }, h.deps);
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listAudit(user, { limit: 3, cursor: first.nextCursor ?? undefined }, h.deps);
    expect(second.items.map((e) => e.action)).toEqual(["key.disabled", "key.added"]);
    expect(second.nextCursor).toBeNull();
    expect(await codeOf(listAudit(user, { cursor: "garbage" }, h.deps))).toBe("VALIDATION_FAILED");
  });
});

describe("defaults for new chats", () => {
  it("stores a provider and one of its models", async () => {
    const user = await h.newUser();
    expect(await getDefaults(user, h.deps)).toMatchObject({ provider: "openai", saved: false });
    await setDefaults(user, { provider: "groq", model: "llama-3.1-8b-instant" }, h.deps);
    expect(await getDefaults(user, h.deps)).toEqual({
      provider: "groq",
      model: "llama-3.1-8b-instant",
      saved: true,
    });
    await setDefaults(user, { provider: "compatible", model: "llama3.2:3b" }, h.deps);
    expect(await getDefaults(user, h.deps)).toMatchObject({ provider: "compatible", model: "llama3.2:3b" });
  });
});
