import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { listAudit } from "./audit";
import { getKey, listKeys, removeKey, setKeyEnabled } from "./manage";
import { testKey } from "./probe";
import { resolveKey, usableProviders } from "./resolve";
import { saveKey } from "./save";

// lib/ai marks its server modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

// User B, holding a valid session, tries everything the vault offers against provider slots
// where user A has keys. Ownership is in every query, so B only ever reaches B's own rows.

let h: Harness;
let alice: string;
let bob: string;
const ALICE_KEY = "sk-proj-aliceSecretKeyAbcdefgh9A9A";

beforeAll(async () => {
  h = await startHarness();
  alice = await h.newUser();
  bob = await h.newUser();
  // B's own history starts before A's, so a cursor taken from A's rows has B rows behind it.
  await saveKey(bob, "groq", { apiKey: "gsk_bobEarlyKeyAbcdefghijk7C7C" }, undefined, h.deps);
  await removeKey(bob, "groq", undefined, h.deps);
  await saveKey(alice, "openai", { apiKey: ALICE_KEY }, { ip: "198.51.100.1" }, h.deps);
  await saveKey(
    alice,
    "compatible",
    { apiKey: "alice-compat-key-0001", baseUrl: h.mock.baseUrls.compatible, label: "Alice's server" },
    undefined,
    h.deps,
  );
  await testKey(alice, "openai", undefined, undefined, h.deps);
});
afterAll(() => h?.close());

const aliceState = async () => ({
  keys: await h.handle.prisma.providerKey.findMany({
    where: { userId: alice },
    orderBy: { provider: "asc" },
  }),
  audit: await h.handle.prisma.auditEvent.findMany({ where: { userId: alice }, orderBy: { id: "asc" } }),
});

describe("cross-user isolation", () => {
  it("B cannot read, test, toggle, remove or resolve A's keys, and A's rows stay unchanged", async () => {
    const before = await aliceState();
    const bobAuditBefore = await h.handle.prisma.auditEvent.count({ where: { userId: bob } });

    const bobKeys = await listKeys(bob, h.deps);
    expect(bobKeys.every((k) => !k.hasKey && k.status === "not_set" && k.preview === null)).toBe(true);
    expect(JSON.stringify(bobKeys)).not.toContain("9A9A");
    expect((await getKey(bob, "openai", h.deps)).hasKey).toBe(false);

    for (const provider of ["openai", "compatible"] as ProviderId[]) {
      expect(await codeOf(testKey(bob, provider, undefined, undefined, h.deps))).toBe("NOT_FOUND");
      expect(await codeOf(setKeyEnabled(bob, provider, false, undefined, h.deps))).toBe("NOT_FOUND");
      expect(await codeOf(removeKey(bob, provider, undefined, h.deps))).toBe("NOT_FOUND");
      expect(await codeOf(resolveKey(bob, provider, undefined, h.deps))).toBe("API_KEY_REQUIRED");
    }
    // Typing a key for compatible must not borrow A's stored base URL.
    expect(await codeOf(testKey(bob, "compatible", { apiKey: "bob-typed-key-1" }, undefined, h.deps))).toBe(
      "VALIDATION_FAILED",
    );
    expect((await usableProviders(bob, h.deps)).every((p) => p.source === null)).toBe(true);
    const bobAudit = (await listAudit(bob, undefined, h.deps)).items;
    expect(bobAudit.every((e) => e.provider === "groq")).toBe(true); // only B's own early history

    expect(await aliceState()).toEqual(before);
    expect(await h.handle.prisma.auditEvent.count({ where: { userId: bob } })).toBe(bobAuditBefore);
  });

  it("B saving, toggling and removing B's own key never touches A's row", async () => {
    const before = await aliceState();
    await saveKey(bob, "openai", { apiKey: "sk-proj-bobOwnKeyAbcdefghijkl5B5B" }, undefined, h.deps);
    await testKey(bob, "openai", undefined, undefined, h.deps);
    await setKeyEnabled(bob, "openai", false, undefined, h.deps);
    await removeKey(bob, "openai", undefined, h.deps);
    const after = await aliceState();
    expect(after).toEqual(before);
    expect((await resolveKey(alice, "openai", undefined, h.deps)).apiKey).toBe(ALICE_KEY);
  });

  it("a cursor built from A's audit rows only pages through B's own rows", async () => {
    const aliceRows = await listAudit(alice, { limit: 1 }, h.deps);
    expect(aliceRows.nextCursor).not.toBeNull();
    const page = await listAudit(bob, { cursor: aliceRows.nextCursor ?? undefined, limit: 100 }, h.deps);
    expect(page.items.length).toBeGreaterThan(0);
    const bobIds = new Set(
      (await h.handle.prisma.auditEvent.findMany({ where: { userId: bob }, select: { id: true } })).map(
        (r) => r.id,
      ),
    );
    expect(page.items.every((e) => bobIds.has(e.id))).toBe(true);
  });
});
