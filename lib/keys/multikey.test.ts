import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTurn } from "@/lib/chat/turn";
import { clientId, readAll, textOf } from "@/test/chat-stream";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { getKey, listKeys, removeKey, updateKey } from "./manage";
import { cachedModels } from "./models";
import { chatCandidates, keyDisplayName, parseKeySegment, representative } from "./order";
import { resolveKey } from "./resolve";
import { addKey, saveKey } from "./save";

vi.mock("server-only", () => ({}));

// Several keys per provider: addressed by id, ordered, and tried in order by a chat turn when
// one is refused before the first token. Real database, vault and mock upstream (the key's text
// picks the mock's answer: "ratelimit" → 429, "invalid" → 401, "quota" → 429 insufficient_quota).

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 1 });
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
const generations = (last4: string) =>
  h.mock.requests().filter((r) => r.keyLast4 === last4 && r.kind === "generate");

describe("several keys per provider", () => {
  it("adds, lists in order, moves, renames and removes keys by id; the provider address is the first key", async () => {
    const user = await h.newUser();
    const first = await saveKey(user, "openai", { apiKey: "sk-proj-firstKeyAbcdef0001" }, undefined, h.deps);
    const second = await addKey(
      user,
      "openai",
      { apiKey: "sk-proj-secondKeyAbcdef0002", label: "Work" },
      undefined,
      h.deps,
    );
    expect(first).toMatchObject({ position: 0, label: null, last4: "0001", status: "untested" });
    expect(second).toMatchObject({ position: 1, label: "Work", last4: "0002" });
    expect(second.id).not.toBe(first.id);

    const openai = (await listKeys(user, h.deps)).filter((k) => k.provider === "openai");
    expect(openai.map((k) => [k.id, k.position])).toEqual([
      [first.id, 0],
      [second.id, 1],
    ]);
    // Providers without keys are still listed once, as "not_set" (the one-key API's shape).
    expect((await listKeys(user, h.deps)).filter((k) => k.provider === "groq")).toMatchObject([
      { id: null, status: "not_set" },
    ]);

    // The provider address keeps meaning the first key; PUT by provider replaces only it.
    expect((await getKey(user, "openai", h.deps)).id).toBe(first.id);
    await saveKey(user, "openai", { apiKey: "sk-proj-firstKeyReplaced0003" }, undefined, h.deps);
    expect(await getKey(user, { provider: "openai", id: second.id as string }, h.deps)).toMatchObject({
      last4: "0002",
    });
    expect((await getKey(user, "openai", h.deps)).last4).toBe("0003");

    const moved = await updateKey(
      user,
      { provider: "openai", id: second.id as string },
      { move: "up" },
      undefined,
      h.deps,
    );
    expect(moved.position).toBe(0);
    expect((await getKey(user, "openai", h.deps)).id).toBe(second.id);
    const renamed = await updateKey(
      user,
      { provider: "openai", id: first.id as string },
      { label: "Home" },
      undefined,
      h.deps,
    );
    expect(renamed).toMatchObject({ label: "Home", position: 1 });

    const audit = await h.handle.prisma.auditEvent.findMany({
      where: { userId: user },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "key.added",
      "key.added",
      "key.replaced",
      "key.reordered",
      "key.renamed",
    ]);
    expect(audit.every((a) => typeof (a.detail as { keyId?: string })?.keyId === "string")).toBe(true);

    // Removing by id removes that key only; the provider then has its other key first.
    expect(
      await removeKey(user, { provider: "openai", id: second.id as string }, undefined, h.deps),
    ).toMatchObject({
      status: "not_set",
    });
    expect((await getKey(user, "openai", h.deps)).id).toBe(first.id);
  });

  it("a key id that is not the caller's is a missing resource, exactly like an unused one", async () => {
    const owner = await h.newUser();
    const other = await h.newUser();
    const key = await addKey(owner, "openai", { apiKey: "sk-proj-ownersKeyAbcdef0004" }, undefined, h.deps);
    const find = (userId: string) => (id: string) =>
      h.handle.prisma.providerKey.findFirst({ where: { id, userId }, select: { provider: true } });
    expect(await parseKeySegment(key.id as string, find(owner))).toEqual({ provider: "openai", id: key.id });
    expect(await codeOf(parseKeySegment(key.id as string, find(other)))).toBe("NOT_FOUND");
    expect(await codeOf(parseKeySegment("cmunusedkeyid0000000000000", find(owner)))).toBe("NOT_FOUND");
    expect(await codeOf(parseKeySegment("../etc", find(owner)))).toBe("NOT_FOUND");
    expect(await parseKeySegment("openai", find(other))).toEqual({ provider: "openai" });
    const asOther = { provider: "openai" as const, id: key.id as string };
    expect(await codeOf(getKey(other, asOther, h.deps))).toBe("NOT_FOUND");
    expect(await codeOf(updateKey(other, asOther, { enabled: false }, undefined, h.deps))).toBe("NOT_FOUND");
    expect(await codeOf(removeKey(other, asOther, undefined, h.deps))).toBe("NOT_FOUND");
    expect(
      await codeOf(saveKey(other, asOther, { apiKey: "sk-proj-hijackAbcdefgh0005" }, undefined, h.deps)),
    ).toBe("NOT_FOUND");
    expect((await getKey(owner, asOther, h.deps)).last4).toBe("0004");
  });

  it("a chat skips switched-off and invalid keys; all invalid still says so, never the system key", async () => {
    h.systemKeys.openai = "sk-system-operatorKey-000000";
    try {
      const user = await h.newUser();
      const a = await addKey(user, "openai", { apiKey: "sk-proj-offKeyAbcdefgh0006" }, undefined, h.deps);
      const b = await addKey(user, "openai", { apiKey: "sk-proj-usedKeyAbcdefg0007" }, undefined, h.deps);
      await updateKey(
        user,
        { provider: "openai", id: a.id as string },
        { enabled: false },
        undefined,
        h.deps,
      );
      expect(await resolveKey(user, "openai", undefined, h.deps)).toMatchObject({
        source: "personal",
        keyId: b.id,
      });
      await h.handle.prisma.providerKey.update({
        where: { id: b.id as string },
        data: { status: "INVALID" },
      });
      expect(await codeOf(resolveKey(user, "openai", undefined, h.deps))).toBe("INVALID_API_KEY");
    } finally {
      delete h.systemKeys.openai;
    }
  });

  it("a rate-limited first key passes the turn to the second before the first token: one answer, that key named", async () => {
    const user = await h.newUser();
    const limited = await addKey(
      user,
      "openai",
      { apiKey: "sk-proj-ratelimitAbcdef0008", label: "Busy" },
      undefined,
      h.deps,
    );
    const spare = await addKey(
      user,
      "openai",
      { apiKey: "sk-proj-spareKeyAbcdef0009", label: "Spare" },
      undefined,
      h.deps,
    );
    const chatId = clientId("c");
    const handle = await startTurn(
      {
        userId: user,
        chatId,
        message: { id: clientId(), text: "hello" },
        provider: "openai",
        model: "gpt-5-mini",
      },
      never(),
      h.turnDeps(),
    );
    const chunks = await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(textOf(chunks)).toContain("hello");
    // No backoff on the limited key: one request to it, then the spare answered.
    expect(generations("0008")).toHaveLength(1);
    expect(generations("0009")).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ type: "finish" });
    const start = chunks.find((c) => c.type === "start") as { messageMetadata?: object } | undefined;
    const finish = chunks.at(-1) as { messageMetadata?: object };
    expect({ ...start?.messageMetadata, ...finish.messageMetadata }).toMatchObject({
      keyLabel: "Spare …0009",
    });

    const answer = await h.handle.prisma.message.findFirstOrThrow({
      where: { userId: user, role: "assistant" },
    });
    expect(answer).toMatchObject({ keyId: spare.id, keyLabel: "Spare …0009", status: "COMPLETE" });
    const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId: user } });
    expect(usage).toMatchObject([{ keyId: spare.id, keySource: "personal" }]);
    const failover = await h.handle.prisma.auditEvent.findFirstOrThrow({
      where: { userId: user, action: "key.failover" },
    });
    expect(failover).toMatchObject({ last4: "0008" });
    expect(failover.detail).toMatchObject({ keyId: limited.id, nextKeyId: spare.id, code: "RATE_LIMITED" });
    // A rate limit says nothing about the key: it stays as it was.
    expect((await getKey(user, { provider: "openai", id: limited.id as string }, h.deps)).status).toBe(
      "untested",
    );
  });

  it("an invalid first key is marked INVALID and the second answers; when every key fails the error is the last one's", async () => {
    const user = await h.newUser();
    const bad = await addKey(user, "openai", { apiKey: "sk-proj-invalidAbcdefg0010" }, undefined, h.deps);
    await addKey(user, "openai", { apiKey: "sk-proj-goodKeyAbcdefg0011" }, undefined, h.deps);
    const t = () => ({
      userId: user,
      chatId: clientId("c"),
      message: { id: clientId(), text: "hi" },
      provider: "openai" as const,
      model: "gpt-5-mini",
    });
    const ok = await startTurn(t(), never(), h.turnDeps());
    await readAll(ok.stream);
    expect((await ok.done).status).toBe("COMPLETE");
    expect((await getKey(user, { provider: "openai", id: bad.id as string }, h.deps)).status).toBe("invalid");

    const other = await h.newUser();
    await addKey(other, "openai", { apiKey: "sk-proj-quotaAbcdefghi0012" }, undefined, h.deps);
    await addKey(other, "openai", { apiKey: "sk-proj-invalidAbcdefg0013" }, undefined, h.deps);
    const err = await codeOf(startTurn({ ...t(), userId: other }, never(), h.turnDeps()));
    expect(err).toBe("INVALID_API_KEY");
    expect(generations("0012")).toHaveLength(1);
    expect(generations("0013")).toHaveLength(1);
    expect(await h.handle.prisma.message.count({ where: { userId: other } })).toBe(0);
  });

  it("orders candidates: enabled and not invalid, one endpoint for compatible; the source rule reads the best", () => {
    const k = (
      id: string,
      status: "UNTESTED" | "INVALID" | "NEEDS_REENTRY",
      enabled = true,
      baseUrl?: string,
    ) => ({
      id,
      status,
      enabled,
      baseUrl: baseUrl ?? null,
    });
    const rows = [k("a", "INVALID"), k("b", "UNTESTED", false), k("c", "NEEDS_REENTRY"), k("d", "UNTESTED")];
    expect(chatCandidates("openai", rows).map((r) => r.id)).toEqual(["c", "d"]);
    expect(representative(rows)?.id).toBe("d");
    expect(representative([k("a", "INVALID"), k("b", "UNTESTED", false)])?.id).toBe("a");
    expect(representative([k("b", "UNTESTED", false)])?.id).toBe("b");
    expect(representative([])).toBeNull();
    const endpoints = [
      k("x", "UNTESTED", false, "https://one.example/v1"),
      k("y", "UNTESTED", true, "https://two.example/v1"),
      k("z", "UNTESTED", true, "https://one.example/v1"),
      k("w", "UNTESTED", true, "https://two.example/v1"),
    ];
    expect(chatCandidates("compatible", endpoints).map((r) => r.id)).toEqual(["y", "w"]);
    expect(keyDisplayName({ label: "Work", last4: "x9Qa" })).toBe("Work …x9Qa");
    expect(keyDisplayName({ label: null, last4: "x9Qa" })).toBe("…x9Qa");
    expect(keyDisplayName({ label: null, last4: "", keyless: true })).toBe("Keyless endpoint");
  });

  it("the picker offers the models of the endpoint a compatible chat runs on, not another server's", async () => {
    const user = await h.newUser();
    const base = h.mock.baseUrls.compatible;
    await saveKey(
      user,
      "compatible",
      { apiKey: "firstEndpointKey0014", baseUrl: base, label: "Mock" },
      undefined,
      h.deps,
    );
    const other = await addKey(
      user,
      "compatible",
      { apiKey: "otherEndpointKey0015", baseUrl: `${base.replace(/\/$/, "")}/other`, label: "Other" },
      undefined,
      h.deps,
    );
    await h.handle.prisma.providerKey.update({
      where: { id: other.id as string },
      data: { models: [{ id: "only-on-other" }], modelsFetchedAt: new Date() },
    });
    const cache = (await cachedModels(user, h.deps)).compatible;
    expect(cache?.models.length).toBeGreaterThan(0);
    expect(cache?.models.map((m) => m.id)).not.toContain("only-on-other");
  });
});
