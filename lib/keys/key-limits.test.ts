import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import { createApiToken, verifyApiToken } from "@/lib/api-tokens/tokens";
import { startTurn } from "@/lib/chat/turn";
import { startCompletion } from "@/lib/v1/completions";
import type { V1Deps } from "@/lib/v1/deps";
import { completionRequestSchema } from "@/lib/v1/schemas";
import { clientId, readAll, textOf } from "@/test/chat-stream";
import { failure } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import {
  checkTurnSpending,
  estimateTurn,
  KeyLimitError,
  keyLimits,
  listLimits,
  setKeyLimits,
  setLimits,
  settleTurnSpending,
} from "./limits";
import { removeKey, updateKey } from "./manage";
import {
  loadKeyRows,
  markKeyInvalid,
  nextPersonalKey,
  resolveKey,
  touchKeyUsed,
  usableProviders,
} from "./resolve";
import { addKey } from "./save";

vi.mock("server-only", () => ({}));

// Spending limits per key (several keys per provider): a key at its own limit is skipped like a
// key out of quota, with no provider call on it; the turn is refused only when no key is left or
// the provider-wide limit is reached. Real database, vault, SDKs and mock upstream (the key's
// text picks the mock's answer: "quota" → 429 insufficient_quota).

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 1 });
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
let n = 0;
/** A key whose last 4 characters are unique in this run (the mock counts requests by them). */
const keyText = (word = "key") =>
  `sk-proj-${word}Limits${Date.now().toString(36)}${String(++n).padStart(4, "0")}`;
const generations = (apiKey: string) =>
  h.mock.requests().filter((r) => r.keyLast4 === apiKey.slice(-4) && r.kind === "generate");

/** A user with these OpenAI keys, in this order; returns the user and the keys' ids and texts. */
async function userWithKeys(...words: string[]) {
  const userId = await h.newUser();
  const keys: { id: string; text: string }[] = [];
  for (const [i, w] of words.entries()) {
    const text = keyText(w);
    const dto = await addKey(userId, "openai", { apiKey: text, label: `K${i + 1}` }, undefined, h.deps);
    keys.push({ id: dto.id as string, text });
  }
  return { userId, keys };
}

const turn = (userId: string) => ({
  userId,
  chatId: clientId("c"),
  message: { id: clientId(), text: "Hello, key limits" },
  provider: "openai" as const,
  model: "gpt-5-mini",
});

const failovers = (userId: string) =>
  h.handle.prisma.auditEvent.findMany({
    where: { userId, action: "key.failover" },
    orderBy: { createdAt: "asc" },
  });

describe("spending limits per key: the chat", () => {
  it("a key at its own limit is skipped with no call on it; the next key answers and is named", async () => {
    const { userId, keys } = await userWithKeys("first", "second");
    const [first, second] = keys as [{ id: string; text: string }, { id: string; text: string }];
    await setKeyLimits(userId, first.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    const handle = await startTurn(turn(userId), never(), h.turnDeps());
    const chunks = await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(textOf(chunks)).toContain("Hello, key limits");
    expect(generations(first.text)).toHaveLength(0);
    expect(generations(second.text)).toHaveLength(1);
    const answer = await h.handle.prisma.message.findFirstOrThrow({ where: { userId, role: "assistant" } });
    expect(answer).toMatchObject({ keyId: second.id, keyLabel: `K2 …${second.text.slice(-4)}` });
    const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId } });
    expect(usage.map((u) => u.keyId)).toEqual([second.id]);
    const [skip] = await failovers(userId);
    expect(skip?.last4).toBe(first.text.slice(-4));
    expect(skip?.detail).toMatchObject({
      keyId: first.id,
      nextKeyId: second.id,
      code: "BUDGET_EXCEEDED",
      reason: "key_limit",
    });
  });

  it("every key at its own limit: BUDGET_EXCEEDED (429) before any provider call, the button on the first key's limits", async () => {
    const { userId, keys } = await userWithKeys("one", "two");
    const [one, two] = keys as [{ id: string; text: string }, { id: string; text: string }];
    await setKeyLimits(userId, one.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    await setKeyLimits(userId, two.id, { monthUsd: 0.000001 }, undefined, h.handle.prisma);
    const err = await failure(startTurn(turn(userId), never(), h.turnDeps()));
    expect([err.code, err.status]).toEqual(["BUDGET_EXCEEDED", 429]);
    expect(err.toJSON()).toMatchObject({ setting: `/settings/ai#limits-key-${one.id}` });
    expect(err.message).toMatch(/Every OpenAI key you can use is at its own spending limit/);
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(generations(one.text)).toHaveLength(0);
    expect(generations(two.text)).toHaveLength(0);
    expect(await h.handle.prisma.message.count({ where: { userId } })).toBe(0);
    // One key only: its own error, naming it.
    const single = await userWithKeys("single");
    const only = single.keys[0] as { id: string; text: string };
    await setKeyLimits(single.userId, only.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    const e1 = await failure(startTurn(turn(single.userId), never(), h.turnDeps()));
    expect(e1).toBeInstanceOf(KeyLimitError);
    expect(e1.message).toContain(`K1 …${only.text.slice(-4)}`);
    expect(e1.message).toMatch(/its own daily limit of 10 tokens/);
    expect(generations(only.text)).toHaveLength(0);
  });

  it("the provider-wide limit still refuses whatever key is next, linking to the provider's limits", async () => {
    const { userId, keys } = await userWithKeys("wideA", "wideB");
    await setLimits(userId, "openai", { dayTokens: 10 }, undefined, h.handle.prisma);
    const err = await failure(startTurn(turn(userId), never(), h.turnDeps()));
    expect(err.code).toBe("BUDGET_EXCEEDED");
    expect(err).not.toBeInstanceOf(KeyLimitError);
    expect(err.toJSON()).toMatchObject({ setting: "/settings/ai#limits-openai" });
    for (const k of keys) expect(generations(k.text)).toHaveLength(0);
    expect(await failovers(userId)).toHaveLength(0);
  });

  it("a key's limit counts that key's use only; the provider's counts every key's", async () => {
    const { userId, keys } = await userWithKeys("useA", "useB");
    const [a, b] = keys as [{ id: string; text: string }, { id: string; text: string }];
    const est = estimateTurn({
      provider: "openai",
      model: "gpt-5-mini",
      promptChars: "Hello, key limits".length,
    });
    await setKeyLimits(userId, a.id, { monthTokens: est.tokens + 500 }, undefined, h.handle.prisma);
    // Heavy use on B does not count against A's own limit.
    await h.handle.prisma.usageEvent.create({
      data: {
        userId,
        provider: "openai",
        keySource: "personal",
        keyId: b.id,
        model: "gpt-5-mini",
        inputTokens: 90_000,
      },
    });
    const ok = await startTurn(turn(userId), never(), h.turnDeps());
    await readAll(ok.stream);
    expect((await ok.done).status).toBe("COMPLETE");
    expect(generations(a.text)).toHaveLength(1);
    const mine = await keyLimits(userId, a.id, h.handle.prisma);
    expect(mine.limits[0]?.used).toBeGreaterThan(0);
    expect(mine.limits[0]?.used).toBeLessThan(1000);
    // A provider-wide month limit sees B's use too: nothing is sent.
    await setLimits(userId, "openai", { monthTokens: 50_000 }, undefined, h.handle.prisma);
    const err = await failure(startTurn(turn(userId), never(), h.turnDeps()));
    expect(err.toJSON()).toMatchObject({ code: "BUDGET_EXCEEDED", setting: "/settings/ai#limits-openai" });
    const all = await listLimits(userId, h.handle.prisma);
    expect(all).toHaveLength(1);
    expect(all[0]?.limits).toMatchObject([{ period: "month", unit: "tokens", amount: 50_000 }]);
    expect(all[0]?.keys.map((k) => k.keyId)).toEqual([a.id]);
  });

  it("a key that takes over after a quota refusal is held to its own limits too", async () => {
    const { userId, keys } = await userWithKeys("quota", "capped", "spare");
    const [quota, capped, spare] = keys as { id: string; text: string }[] as [
      { id: string; text: string },
      { id: string; text: string },
      { id: string; text: string },
    ];
    await setKeyLimits(userId, capped.id, { dayTokens: 5 }, undefined, h.handle.prisma);
    const handle = await startTurn(turn(userId), never(), h.turnDeps());
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(generations(quota.text)).toHaveLength(1);
    expect(generations(capped.text)).toHaveLength(0);
    expect(generations(spare.text)).toHaveLength(1);
    const events = await failovers(userId);
    expect(events.map((e) => e.detail)).toMatchObject([
      { keyId: quota.id, nextKeyId: capped.id, code: "QUOTA_EXCEEDED" },
      { keyId: capped.id, nextKeyId: spare.id, code: "BUDGET_EXCEEDED", reason: "key_limit" },
    ]);
  });
});

describe("spending limits per key: settings and API", () => {
  it("sets, reads and clears a key's own limits; another user's key id is NOT_FOUND; removing the key takes them", async () => {
    const { userId, keys } = await userWithKeys("setA", "setB");
    const [a, b] = keys as [{ id: string; text: string }, { id: string; text: string }];
    const set = await setKeyLimits(
      userId,
      b.id,
      { dayUsd: 2, monthTokens: 1000 },
      undefined,
      h.handle.prisma,
    );
    expect(set).toMatchObject({ keyId: b.id, provider: "openai" });
    expect(set.limits.map((l) => [l.period, l.unit, l.amount]).sort()).toEqual([
      ["day", "usd", 2_000_000],
      ["month", "tokens", 1000],
    ]);
    // The provider-wide form is its own scope: saving it leaves the key's limits alone.
    await setLimits(userId, "openai", { dayUsd: 5 }, undefined, h.handle.prisma);
    await setLimits(userId, "openai", {}, undefined, h.handle.prisma);
    expect((await keyLimits(userId, b.id, h.handle.prisma)).limits).toHaveLength(2);
    const audit = await h.handle.prisma.auditEvent.findFirstOrThrow({
      where: { userId, action: "limits.changed", last4: b.text.slice(-4) },
    });
    expect(audit.detail).toMatchObject({ keyId: b.id, dayUsd: 2, monthTokens: 1000 });

    const stranger = await h.newUser();
    expect(
      (await failure(setKeyLimits(stranger, b.id, { dayUsd: 1 }, undefined, h.handle.prisma))).code,
    ).toBe("NOT_FOUND");
    expect((await failure(keyLimits(stranger, b.id, h.handle.prisma))).code).toBe("NOT_FOUND");
    expect(await h.handle.prisma.spendingLimit.count({ where: { userId: stranger } })).toBe(0);

    const cleared = await setKeyLimits(
      userId,
      b.id,
      { dayUsd: null, monthTokens: 1000 },
      undefined,
      h.handle.prisma,
    );
    expect(cleared.limits.map((l) => l.unit)).toEqual(["tokens"]);
    await removeKey(userId, { provider: "openai", id: b.id }, undefined, h.deps);
    expect(await h.handle.prisma.spendingLimit.count({ where: { userId, scope: b.id } })).toBe(0);
    expect(await h.handle.prisma.spendingLimit.count({ where: { userId, scope: "" } })).toBe(0);
    // The remaining key is untouched.
    expect((await keyLimits(userId, a.id, h.handle.prisma)).limits).toEqual([]);
  });

  it("a switched-off key's limits do not stop the others", async () => {
    const { userId, keys } = await userWithKeys("offA", "offB");
    const [a, b] = keys as [{ id: string; text: string }, { id: string; text: string }];
    await setKeyLimits(userId, a.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    await updateKey(userId, { provider: "openai", id: a.id }, { enabled: false }, undefined, h.deps);
    const handle = await startTurn(turn(userId), never(), h.turnDeps());
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(generations(b.text)).toHaveLength(1);
    expect(await failovers(userId)).toHaveLength(0);
  });
});

describe("spending limits per key: /v1/chat/completions", () => {
  function v1(): V1Deps {
    return {
      db: h.handle.prisma,
      resolveKey: (u, p, pre) => resolveKey(u, p, pre, h.deps),
      loadKeys: (u, p) => loadKeyRows(u, p, h.deps),
      nextKey: (u, p, pre, tried) => nextPersonalKey(u, p, pre, tried, h.deps),
      createModel: createLanguageModel,
      mapError: toAppError,
      isRetryable,
      markKeyInvalid: (u, p, o) => markKeyInvalid(u, p, o, h.deps),
      touchKeyUsed: (u, p, o) => touchKeyUsed(u, p, o, h.deps),
      checkUserRateLimit: async () => undefined,
      checkTokenRateLimit: async () => undefined,
      usableProviders: (u) => usableProviders(u, h.deps),
    };
  }
  const body = () =>
    completionRequestSchema.parse({
      model: "openai/gpt-5-mini",
      messages: [{ role: "user", content: "Hi v1" }],
    });
  const callerOf = async (userId: string) => {
    const { token } = await createApiToken(userId, { name: "t" }, undefined, { db: h.handle.prisma });
    return verifyApiToken(`Bearer ${token}`, { db: h.handle.prisma });
  };

  it("skips a key at its own limit, and refuses with 429 before any call when every key is", async () => {
    const { userId, keys } = await userWithKeys("v1a", "v1b");
    const [a, b] = keys as [{ id: string; text: string }, { id: string; text: string }];
    const caller = await callerOf(userId);
    await setKeyLimits(userId, a.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    const ok = await startCompletion(caller, body(), never(), undefined, v1());
    expect(ok.response.status).toBe(200);
    await ok.response.text();
    await ok.done;
    expect(generations(a.text)).toHaveLength(0);
    expect(generations(b.text)).toHaveLength(1);
    const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId } });
    expect(usage.map((u) => u.keyId)).toEqual([b.id]);

    await setKeyLimits(userId, b.id, { dayTokens: 10 }, undefined, h.handle.prisma);
    const err = await failure(startCompletion(caller, body(), never(), undefined, v1()));
    expect([err.code, err.status]).toEqual(["BUDGET_EXCEEDED", 429]);
    expect(generations(a.text)).toHaveLength(0);
    expect(generations(b.text)).toHaveLength(1);
  });
});

describe("spending limits per key: holds", () => {
  it("a running turn's hold counts against its key's limit, not against another key's", async () => {
    const { userId, keys } = await userWithKeys("holdA", "holdB");
    const [a, b] = keys as [{ id: string; text: string }, { id: string; text: string }];
    const input = {
      userId,
      provider: "openai" as const,
      model: "gpt-5-mini",
      keySource: "personal",
      promptChars: 2000,
    };
    const est = estimateTurn(input);
    // Room for one estimate on each key, not two.
    await setKeyLimits(userId, a.id, { dayTokens: est.tokens + 10 }, undefined, h.handle.prisma);
    await setKeyLimits(userId, b.id, { dayTokens: est.tokens + 10 }, undefined, h.handle.prisma);
    const first = await checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id });
    expect(first?.key).not.toBeNull();
    await expect(checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id })).rejects.toBeInstanceOf(
      KeyLimitError,
    );
    const onB = await checkTurnSpending(h.handle.prisma, { ...input, keyId: b.id });
    expect(onB?.key).not.toBeNull();
    settleTurnSpending(first);
    settleTurnSpending(onB);
    // Released: room again on A.
    const again = await checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id });
    settleTurnSpending(again);
  });
});
