import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { encryptSecret, generateKeyringSpec, parseKeyring } from "@/lib/crypto";
import { failure } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { listAudit } from "./audit";
import { listKeys, setKeyEnabled } from "./manage";
import { testKey } from "./probe";
import { markKeyInvalid, resolveKey, touchKeyUsed, usableProviders } from "./resolve";
import { saveKey } from "./save";

// lib/ai marks its server modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

// Which key a chat runs on: the policy matrix, against stored rows in a real database.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => {
  for (const p of Object.keys(h.systemKeys)) delete h.systemKeys[p as keyof typeof h.systemKeys];
});

const OPENAI_KEY = "sk-proj-personalKeyAbcdefghij5E6f";
const SYSTEM_KEY = "sk-system-operatorKey-000000";

async function userWithKey(apiKey = OPENAI_KEY) {
  const user = await h.newUser();
  await saveKey(user, "openai", { apiKey }, undefined, h.deps);
  return user;
}

const row = (user: string, provider = "openai") =>
  h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: user, provider } });

describe("resolveKey", () => {
  it("no key and no system key → API_KEY_REQUIRED", async () => {
    const user = await h.newUser();
    const e = await failure(resolveKey(user, "openai", undefined, h.deps));
    expect(e.code).toBe("API_KEY_REQUIRED");
    expect(e.message).toMatch(/Add your OpenAI API key/);
  });

  it("no key, system key configured → the system key", async () => {
    h.systemKeys.openai = SYSTEM_KEY;
    const user = await h.newUser();
    expect(await resolveKey(user, "openai", undefined, h.deps)).toEqual({
      source: "system",
      apiKey: SYSTEM_KEY,
    });
  });

  it("an enabled personal key wins over a configured system key", async () => {
    h.systemKeys.openai = SYSTEM_KEY;
    const user = await userWithKey();
    expect(await resolveKey(user, "openai", undefined, h.deps)).toEqual({
      source: "personal",
      apiKey: OPENAI_KEY,
      keyVersion: 1,
      keyId: expect.any(String),
      keyLabel: `…${OPENAI_KEY.slice(-4)}`,
    });
  });

  it("a disabled personal key → the system key when configured, else API_KEY_REQUIRED naming the switch", async () => {
    const user = await userWithKey();
    await setKeyEnabled(user, "openai", false, undefined, h.deps);
    const e = await failure(resolveKey(user, "openai", undefined, h.deps));
    expect(e.code).toBe("API_KEY_REQUIRED");
    expect(e.message).toMatch(/switched off/);
    h.systemKeys.openai = SYSTEM_KEY;
    expect(await resolveKey(user, "openai", undefined, h.deps)).toMatchObject({
      source: "system",
      apiKey: SYSTEM_KEY,
    });
    expect(await row(user)).toMatchObject({ enabled: false }); // still stored
  });

  it("an enabled key known to be invalid → INVALID_API_KEY, never the system key", async () => {
    h.systemKeys.openai = SYSTEM_KEY;
    const user = await userWithKey("sk-proj-invalidKeyAbcdefghij0000");
    await testKey(user, "openai", undefined, undefined, h.deps);
    expect((await failure(resolveKey(user, "openai", undefined, h.deps))).code).toBe("INVALID_API_KEY");
  });

  it("a key that no longer decrypts → KEY_NEEDS_REENTRY and marked, never the system key", async () => {
    h.systemKeys.openai = SYSTEM_KEY;
    const user = await userWithKey();
    const stored = await row(user);
    // Flip one character of the sealed body: the GCM tag no longer verifies.
    const last = stored.ciphertext.at(-2) === "A" ? "B" : "A";
    const corrupted = `${stored.ciphertext.slice(0, -2)}${last}${stored.ciphertext.slice(-1)}`;
    await h.handle.prisma.providerKey.update({ where: { id: stored.id }, data: { ciphertext: corrupted } });

    expect((await failure(resolveKey(user, "openai", undefined, h.deps))).code).toBe("KEY_NEEDS_REENTRY");
    expect((await failure(resolveKey(user, "openai", undefined, h.deps))).code).toBe("KEY_NEEDS_REENTRY");
    expect((await row(user)).status).toBe("NEEDS_REENTRY");
    expect((await listKeys(user, h.deps))[0]).toMatchObject({ status: "needs_reentry", chatSource: null });
    expect((await failure(testKey(user, "openai", undefined, undefined, h.deps))).code).toBe(
      "KEY_NEEDS_REENTRY",
    );
    const reentry = (await listAudit(user, undefined, h.deps)).items.filter(
      (e) => e.action === "key.needs_reentry",
    );
    expect(reentry).toHaveLength(1); // recorded once, not on every request
    expect(reentry[0]?.detail).toEqual({ why: "auth_failed" });

    // Entering the key again fixes it.
    await saveKey(user, "openai", { apiKey: OPENAI_KEY }, undefined, h.deps);
    expect(await resolveKey(user, "openai", undefined, h.deps)).toMatchObject({
      source: "personal",
      apiKey: OPENAI_KEY,
    });
  });

  it("a key sealed under a master key the server no longer has → KEY_NEEDS_REENTRY; restoring it heals", async () => {
    const user = await h.newUser();
    const lost = parseKeyring(generateKeyringSpec("lost1"));
    const lostDeps = { ...h.deps, keyring: lost };
    await saveKey(user, "openai", { apiKey: OPENAI_KEY }, undefined, lostDeps);
    expect((await failure(resolveKey(user, "openai", undefined, h.deps))).code).toBe("KEY_NEEDS_REENTRY");
    expect((await row(user)).status).toBe("NEEDS_REENTRY");
    // The operator puts the old master key back: the key is usable again, without re-entry.
    expect(await resolveKey(user, "openai", undefined, lostDeps)).toMatchObject({
      source: "personal",
      apiKey: OPENAI_KEY,
    });
    expect((await row(user)).status).toBe("UNTESTED");
  });

  it("a ciphertext copied from another user's row does not open", async () => {
    const victim = await userWithKey();
    const attacker = await userWithKey("sk-proj-attackerKeyAbcdefghi1111");
    const victimRow = await row(victim);
    await h.handle.prisma.providerKey.update({
      where: { id: (await row(attacker)).id },
      data: { ciphertext: victimRow.ciphertext },
    });
    expect((await failure(resolveKey(attacker, "openai", undefined, h.deps))).code).toBe("KEY_NEEDS_REENTRY");
  });

  it("compatible never gets a system key, and a personal one comes with its base URL", async () => {
    (h.systemKeys as Record<string, string>).compatible = SYSTEM_KEY;
    const user = await h.newUser();
    expect((await failure(resolveKey(user, "compatible", undefined, h.deps))).code).toBe("API_KEY_REQUIRED");
    await h.saveCompatibleKey(user, "local-key-1");
    await setKeyEnabled(user, "compatible", false, undefined, h.deps);
    expect((await failure(resolveKey(user, "compatible", undefined, h.deps))).code).toBe("API_KEY_REQUIRED");
    await setKeyEnabled(user, "compatible", true, undefined, h.deps);
    expect(await resolveKey(user, "compatible", undefined, h.deps)).toMatchObject({
      source: "personal",
      apiKey: "local-key-1",
      baseUrl: h.mock.baseUrls.compatible,
    });
  });

  it("re-checks a stored base URL at use, so a server that stops allowing private URLs refuses it", async () => {
    const user = await h.newUser();
    await h.saveCompatibleKey(user, "local-key-2");
    const strict = { ...h.deps, allowPrivateBaseUrls: false };
    expect((await failure(resolveKey(user, "compatible", undefined, strict))).code).toBe("VALIDATION_FAILED");
    expect((await failure(testKey(user, "compatible", {}, undefined, strict))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect((await row(user, "compatible")).status).toBe("UNTESTED");
  });
});

describe("chat-path bookkeeping", () => {
  it("markKeyInvalid marks the key (compare-and-set on version) and touchKeyUsed keeps updatedAt", async () => {
    const user = await userWithKey();
    const resolved = await resolveKey(user, "openai", undefined, h.deps);
    const before = await row(user);
    await touchKeyUsed(user, "openai", { keyVersion: resolved.keyVersion }, h.deps);
    const touched = await row(user);
    expect(touched.lastUsedAt).toBeInstanceOf(Date);
    expect(touched.updatedAt).toEqual(before.updatedAt);
    expect((await listKeys(user, h.deps))[0]?.lastUsedAt).toEqual(expect.any(String));

    // The key was replaced while the chat ran: the old key's 401 must not brand the new key.
    await saveKey(user, "openai", { apiKey: OPENAI_KEY }, undefined, h.deps);
    await markKeyInvalid(user, "openai", { keyVersion: resolved.keyVersion }, h.deps);
    expect((await row(user)).status).toBe("UNTESTED");
    await markKeyInvalid(user, "openai", undefined, h.deps);
    expect((await row(user)).status).toBe("INVALID");
    expect((await failure(resolveKey(user, "openai", undefined, h.deps))).code).toBe("INVALID_API_KEY");
  });

  it("usableProviders reports the source each provider would use", async () => {
    h.systemKeys.groq = "gsk_systemKeyAbcdefghijk";
    const user = await userWithKey();
    await saveKey(user, "google", { apiKey: "AIzaGoogleKeyAbcdefghij12" }, undefined, h.deps);
    await setKeyEnabled(user, "google", false, undefined, h.deps);
    const usable = await usableProviders(user, h.deps);
    expect(usable.map(({ provider, source, code }) => ({ provider, source, code }))).toEqual([
      { provider: "openai", source: "personal", code: null },
      { provider: "groq", source: "system", code: null },
      { provider: "google", source: null, code: "API_KEY_REQUIRED" },
      { provider: "compatible", source: null, code: "API_KEY_REQUIRED" },
    ]);
    const keys = await listKeys(user, h.deps);
    expect(keys.map((k) => [k.provider, k.chatSource, k.systemKeyAvailable])).toEqual([
      ["openai", "personal", false],
      ["groq", "system", true],
      ["google", null, false],
      ["compatible", null, false],
    ]);
  });
});

describe("encryption binding", () => {
  it("stores only ciphertext, bound to user and provider", async () => {
    const user = await userWithKey();
    const stored = await row(user);
    expect(stored.ciphertext).not.toContain(OPENAI_KEY);
    expect(stored.ciphertext).not.toContain(OPENAI_KEY.slice(8, -4));
    const again = await encryptSecret({ plaintext: OPENAI_KEY, userId: user, provider: "openai" }, h.keyring);
    expect(again.ciphertext).not.toBe(stored.ciphertext); // fresh nonce per encryption
  });
});
