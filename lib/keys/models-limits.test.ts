import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { initialSelection, pickerProviders } from "@/lib/chat/picker";
import { startTurn } from "@/lib/chat/turn";
import { clientId, readAll } from "@/test/chat-stream";
import { failure } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { checkTurnSpending, estimateTurn, listLimits, setLimits, settleTurnSpending } from "./limits";
import { cachedModels, getKeyModels, isListedModel, mergeModels, refreshKeyModels } from "./models";
import { usableProviders } from "./resolve";
import { saveKey } from "./save";

vi.mock("server-only", () => ({}));

// Live model lists and spending limits against the real mock upstream (each provider's models
// endpoint in its own wire format) and a real database; the chat turns run the real SDKs.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
let n = 0;
const uniqueKey = (prefix: string) => `${prefix}modelsLimits${String(++n).padStart(4, "0")}x${Date.now()}`;

async function userWithKey(provider: ProviderId, apiKey: string, listed?: string[]) {
  if (listed) h.mock.setModels(apiKey, listed);
  const userId = await h.newUser();
  await saveKey(
    userId,
    provider,
    { apiKey, ...(provider === "compatible" ? { baseUrl: h.mock.baseUrls.compatible } : {}) },
    undefined,
    h.deps,
  );
  return userId;
}

const generates = (apiKey: string) =>
  h.mock.requests().filter((r) => r.keyLast4 === apiKey.slice(-4) && r.kind === "generate");

function turn(userId: string, provider: ProviderId, model: string, extra: object = {}) {
  return {
    userId,
    chatId: clientId("c"),
    message: { id: clientId(), text: "Hello, limits" },
    provider,
    model,
    ...extra,
  };
}

describe("live model lists", () => {
  it("lists on save what the provider lists for that key (OpenAI, Groq, Gemini wire formats)", async () => {
    const openaiKey = uniqueKey("sk-proj-");
    const u1 = await userWithKey("openai", openaiKey, [
      "gpt-5-mini",
      "gpt-9-preview",
      "text-embedding-3-small",
    ]);
    const c1 = await getKeyModels(u1, "openai", h.deps);
    // Embedding models are not chat models: left out.
    expect(c1.models.map((m) => m.id)).toEqual(["gpt-5-mini", "gpt-9-preview"]);
    expect(c1.fetchedAt).not.toBeNull();
    expect(c1.stale).toBe(false);

    const groqKey = uniqueKey("gsk_");
    const u2 = await userWithKey("groq", groqKey, [
      "llama-3.3-70b-versatile",
      "qwen/qwen3-32b",
      "whisper-large-v3",
    ]);
    expect((await getKeyModels(u2, "groq", h.deps)).models.map((m) => m.id)).toEqual([
      "llama-3.3-70b-versatile",
      "qwen/qwen3-32b",
    ]);

    const googleKey = uniqueKey("AIza");
    const u3 = await userWithKey("google", googleKey, ["gemini-2.5-flash", "gemini-9-ultra"]);
    const c3 = await getKeyModels(u3, "google", h.deps);
    expect(c3.models).toEqual([
      { id: "gemini-2.5-flash", label: "Gemini 2.5 Flash" },
      { id: "gemini-9-ultra", label: "gemini-9-ultra" },
    ]);

    const compatKey = uniqueKey("local-");
    const u4 = await userWithKey("compatible", compatKey, ["qwen2.5:7b", "llama3.1:8b"]);
    expect((await getKeyModels(u4, "compatible", h.deps)).models.map((m) => m.id)).toEqual([
      "llama3.1:8b",
      "qwen2.5:7b",
    ]);
  });

  it("the picker offers the key's list with prices where known; a vanished model is marked, not swapped", async () => {
    const key = uniqueKey("sk-proj-");
    const userId = await userWithKey("openai", key, ["gpt-5-mini", "gpt-9-preview"]);
    const picker = () =>
      Promise.all([usableProviders(userId, h.deps), cachedModels(userId, h.deps)]).then(([u, c]) =>
        pickerProviders(u, c),
      );
    const [openai] = await picker();
    expect(openai?.listedAt).not.toBeNull();
    expect(openai?.models).toEqual([
      { id: "gpt-5-mini", label: "GPT-5 mini", price: { input: 0.25, output: 2 } },
      { id: "gpt-9-preview", label: "gpt-9-preview", price: null },
    ]);

    // The provider drops gpt-9-preview: refreshed on demand, it stays, marked gone.
    h.mock.setModels(key, ["gpt-5-mini"]);
    const r = await refreshKeyModels(userId, "openai", h.deps);
    expect(r.ok).toBe(true);
    const [after] = await picker();
    expect(after?.models.find((m) => m.id === "gpt-9-preview")).toMatchObject({ gone: true });
    // A chat on it keeps it selected (the UI says it vanished) instead of moving to another model.
    expect(initialSelection(after ? [after] : [], [{ provider: "openai", model: "gpt-9-preview" }])).toEqual({
      provider: "openai",
      model: "gpt-9-preview",
    });
    expect(await isListedModel(userId, "openai", "gpt-9-preview", h.deps)).toBe(false);
    expect(await isListedModel(userId, "openai", "gpt-5-mini", h.deps)).toBe(true);

    // Back in the list: no longer gone.
    h.mock.setModels(key, ["gpt-5-mini", "gpt-9-preview"]);
    await refreshKeyModels(userId, "openai", h.deps);
    expect(await isListedModel(userId, "openai", "gpt-9-preview", h.deps)).toBe(true);
  });

  it("a failed refresh keeps the cached list; a replaced key starts a new list", async () => {
    const key = uniqueKey("sk-proj-");
    const userId = await userWithKey("openai", key, ["gpt-5-mini", "gpt-9-preview"]);
    const before = await getKeyModels(userId, "openai", h.deps);
    const bad = `sk-proj-invalid${uniqueKey("")}`;
    await saveKey(userId, "openai", { apiKey: bad }, undefined, h.deps);
    // The invalid key's list could not be fetched: the old key's list went with the old key.
    expect((await getKeyModels(userId, "openai", h.deps)).models).toEqual([]);
    const r = await refreshKeyModels(userId, "openai", h.deps);
    expect(r).toEqual({ ok: false, failure: "invalid_key" });
    expect(before.models.length).toBe(2);
  });

  it("mergeModels marks missing models gone once, keeping the first time they were missed", () => {
    const t1 = new Date("2026-01-01T00:00:00Z");
    const t2 = new Date("2026-01-02T00:00:00Z");
    const a = mergeModels([{ id: "a" }, { id: "b" }], [{ id: "a" }], t1);
    expect(a).toEqual([{ id: "a" }, { id: "b", goneAt: t1.toISOString() }]);
    expect(mergeModels(a, [{ id: "a" }], t2)).toEqual([{ id: "a" }, { id: "b", goneAt: t1.toISOString() }]);
  });

  it("a turn runs on a model listed for the key, and refuses one that is neither listed nor ours", async () => {
    const key = uniqueKey("sk-proj-");
    const userId = await userWithKey("openai", key, ["gpt-5-mini", "gpt-9-preview"]);
    const handle = await startTurn(turn(userId, "openai", "gpt-9-preview"), never(), h.turnDeps());
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(generates(key).map((r) => r.model)).toEqual(["gpt-9-preview"]);

    for (const model of ["gpt-unlisted", "llama-3.3-70b-versatile"]) {
      const err = await failure(startTurn(turn(userId, "openai", model), never(), h.turnDeps()));
      expect(err).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ path: "model" }] });
    }
    expect(generates(key)).toHaveLength(1);
  });
});

describe("spending limits", () => {
  it("a tiny budget refuses the turn with BUDGET_EXCEEDED before any provider call", async () => {
    const key = uniqueKey("sk-proj-");
    const userId = await userWithKey("openai", key);
    await setLimits(userId, "openai", { dayUsd: 0.0001 }, undefined, h.handle.prisma);
    const err = await failure(startTurn(turn(userId, "openai", "gpt-5-mini"), never(), h.turnDeps()));
    expect(err.code).toBe("BUDGET_EXCEEDED");
    expect(err.status).toBe(429);
    expect(err.toJSON()).toMatchObject({ setting: "/settings/ai#limits-openai" });
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(err.retryAfter).toBeLessThanOrEqual(86_400);
    expect(generates(key)).toHaveLength(0);
    // Nothing stored for a refused turn.
    expect(await h.handle.prisma.message.count({ where: { userId } })).toBe(0);
  });

  it("usage settled by earlier turns counts: a token limit lets turns through until it is used up", async () => {
    const key = uniqueKey("sk-proj-");
    const userId = await userWithKey("openai", key);
    const est = estimateTurn({
      provider: "openai",
      model: "gpt-5-mini",
      promptChars: "Hello, limits".length,
    });
    // Room for one estimate and what a mock answer really uses, not for a second estimate on top.
    await setLimits(userId, "openai", { monthTokens: est.tokens + 200 }, undefined, h.handle.prisma);
    const first = await startTurn(turn(userId, "openai", "gpt-5-mini"), never(), h.turnDeps());
    await readAll(first.stream);
    const done = await first.done;
    expect(done.status).toBe("COMPLETE");
    const used = (done.usage?.inputTokens ?? 0) + (done.usage?.outputTokens ?? 0);
    expect(used).toBeGreaterThan(0);
    const [state] = await listLimits(userId, h.handle.prisma);
    expect(state?.limits[0]).toMatchObject({ period: "month", unit: "tokens", used });
    // The UsageEvent now holds the real tokens; pad it past the room left and the next turn is refused.
    await h.handle.prisma.usageEvent.create({
      data: { userId, provider: "openai", keySource: "personal", model: "gpt-5-mini", inputTokens: 300 },
    });
    const err = await failure(startTurn(turn(userId, "openai", "gpt-5-mini"), never(), h.turnDeps()));
    expect(err.code).toBe("BUDGET_EXCEEDED");
    expect(generates(key)).toHaveLength(1);
  });

  it("a model without a known price is held to token limits only", async () => {
    const key = uniqueKey("local-");
    const userId = await userWithKey("compatible", key, ["mystery-model"]);
    await setLimits(userId, "compatible", { dayUsd: 0.000001 }, undefined, h.handle.prisma);
    const ok = await startTurn(turn(userId, "compatible", "mystery-model"), never(), h.turnDeps());
    await readAll(ok.stream);
    expect((await ok.done).status).toBe("COMPLETE");
    await setLimits(userId, "compatible", { dayUsd: 0.000001, dayTokens: 10 }, undefined, h.handle.prisma);
    const err = await failure(startTurn(turn(userId, "compatible", "mystery-model"), never(), h.turnDeps()));
    expect(err.code).toBe("BUDGET_EXCEEDED");
    expect(err.message).toMatch(/10 tokens/);
  });

  it("turns in flight hold their estimate until settled; the system key is not the user's spending", async () => {
    const userId = await h.newUser();
    await setLimits(userId, "openai", { dayTokens: 1500 }, undefined, h.handle.prisma);
    const input = {
      userId,
      provider: "openai" as const,
      model: "gpt-5-mini",
      keySource: "personal",
      promptChars: 40,
    };
    const hold = await checkTurnSpending(h.handle.prisma, input);
    expect(hold).not.toBeNull();
    // A second turn at the same time would pass on the same room: it is refused while the first runs.
    await expect(checkTurnSpending(h.handle.prisma, input)).rejects.toMatchObject({
      code: "BUDGET_EXCEEDED",
    });
    settleTurnSpending(hold);
    settleTurnSpending(hold); // twice is harmless
    const again = await checkTurnSpending(h.handle.prisma, input);
    settleTurnSpending(again);
    expect(await checkTurnSpending(h.handle.prisma, { ...input, keySource: "system" })).toBeNull();
  });

  it("clearing a limit removes it; the change is in the audit log", async () => {
    const userId = await h.newUser();
    const set = await setLimits(userId, "groq", { dayUsd: 2, monthTokens: 1000 }, undefined, h.handle.prisma);
    expect(set.limits.map((l) => [l.period, l.unit, l.amount])).toEqual(
      expect.arrayContaining([
        ["day", "usd", 2_000_000],
        ["month", "tokens", 1000],
      ]),
    );
    const cleared = await setLimits(userId, "groq", { dayUsd: null }, undefined, h.handle.prisma);
    expect(cleared.limits).toEqual([]);
    const audit = await h.handle.prisma.auditEvent.findMany({ where: { userId, action: "limits.changed" } });
    expect(audit).toHaveLength(2);
  });
});
