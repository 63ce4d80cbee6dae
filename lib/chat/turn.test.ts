import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { saveKey } from "@/lib/keys/save";
import { clientId, flakyProxy, readAll, textOf, uiChunks } from "@/test/chat-stream";
import { failure } from "@/test/errors";
import { type Harness, LEAKY_TEXT, startHarness } from "@/test/harness";
import { listMessages } from "./history";
import { claimTurn } from "./persist";
import { checkChatRateLimit } from "./rate-limit";
import { startTurn } from "./turn";

// lib/ai marks its server modules; outside Next's react-server build the marker throws.
vi.mock("server-only", () => ({}));

// A chat turn end to end: real database (PGlite), real key vault, real provider SDKs talking to
// the mock upstream over HTTP. Knob words in the key pick the mock's behaviour.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 1 });
});
afterAll(() => h?.close());

const OPENAI = "gpt-5-mini";
const never = () => new AbortController().signal;

async function userWithKey(apiKey: string, provider: ProviderId = "openai", baseUrl?: string) {
  const userId = await h.newUser();
  await saveKey(userId, provider, { apiKey, ...(baseUrl ? { baseUrl } : {}) }, undefined, h.deps);
  return userId;
}

function turn(
  userId: string,
  chatId: string,
  text: string,
  extra: Partial<Parameters<typeof startTurn>[0]> = {},
) {
  return {
    userId,
    chatId,
    message: { id: clientId(), text },
    provider: "openai" as ProviderId,
    model: OPENAI,
    ...extra,
  };
}

const rows = (chatId: string) =>
  h.handle.prisma.message.findMany({ where: { chatId }, orderBy: { seq: "asc" } });
const requestsFor = (last4: string) =>
  h.mock.requests().filter((r) => r.keyLast4 === last4 && r.kind === "generate");

describe("a turn", () => {
  it("lets go of the request once the answer finished (no listener, no pending watchdog)", async () => {
    // A finished turn that kept its abort listener and idle timer would hold the whole stream
    // pipeline for the idle timeout: ~6 KB per turn under load, measured in the soak.
    const userId = await userWithKey("sk-proj-releaseKey00023");
    const ac = new AbortController();
    const handle = await startTurn(turn(userId, clientId("c"), "short one"), ac.signal, h.turnDeps());
    expect(getEventListeners(ac.signal, "abort").length).toBeGreaterThan(0);
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("streams the answer and stores the user message and the COMPLETE assistant with usage", async () => {
    const userId = await userWithKey("sk-proj-happyPathKey0001");
    const chatId = clientId("c");
    const t = turn(userId, chatId, "Hello there, mock");
    const handle = await startTurn(t, never(), h.turnDeps());
    const chunks = await readAll(handle.stream);
    const result = await handle.done;

    expect(textOf(chunks)).toContain("Echo (turn 1): Hello there, mock");
    expect(chunks[0]).toMatchObject({ type: "start", messageId: handle.assistantMessageId });
    expect(chunks[0]).toMatchObject({
      messageMetadata: { provider: "openai", model: OPENAI, keySource: "personal" },
    });
    const finish = chunks.at(-1);
    expect(finish).toMatchObject({ type: "finish", messageMetadata: { status: "COMPLETE" } });

    const stored = await rows(chatId);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "COMPLETE"],
      ["assistant", "COMPLETE"],
    ]);
    expect(stored[0]?.id).toBe(t.message.id);
    expect(stored[1]?.content).toBe(textOf(chunks));
    expect(stored[1]?.parts).toBeNull(); // no reasoning: the content is the whole answer
    expect(stored[1]?.inputTokens).toBeGreaterThan(0);
    expect(stored[1]?.outputTokens).toBeGreaterThan(0);
    expect(result.usage?.outputTokens).toBe(stored[1]?.outputTokens);
    const events = await h.handle.prisma.usageEvent.findMany({ where: { userId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: "openai", keySource: "personal", model: OPENAI });
    expect(events[0]?.costMicros).toBeGreaterThan(0);
    const chat = await h.handle.prisma.chat.findUniqueOrThrow({
      where: { userId_id: { userId, id: chatId } },
    });
    expect(chat).toMatchObject({ userId, title: "Hello there, mock", provider: "openai" });
  });

  it("sends the earlier turns from the database to the provider", async () => {
    const userId = await userWithKey("sk-proj-multiTurnKey0002");
    const chatId = clientId("c");
    for (const [i, text] of ["first question", "second question", "third question"].entries()) {
      const handle = await startTurn(turn(userId, chatId, text), never(), h.turnDeps());
      const answer = textOf(await readAll(handle.stream));
      expect(answer).toContain(`Echo (turn ${i + 1}): ${text}`);
    }
    expect(await rows(chatId)).toHaveLength(6);
  });

  it("forwards a reasoning model's reasoning, stores it in the message's parts, counts its tokens", async () => {
    const userId = await userWithKey("AIza-mock-reasoning-Key0024", "google");
    const chatId = clientId("c");
    const t = turn(userId, chatId, "think first", { provider: "google", model: "gemini-2.5-flash" });
    const handle = await startTurn(t, never(), h.turnDeps());
    const chunks = await readAll(handle.stream);
    const result = await handle.done;
    const reasoning = chunks.map((c) => (c.type === "reasoning-delta" ? c.delta : "")).join("");
    expect(reasoning).toBe('Thinking (turn 1): the user wrote "think first"; echo it back.');
    expect(result).toMatchObject({ status: "COMPLETE", reasoning });
    const stored = await rows(chatId);
    expect(stored[1]?.content).toBe(textOf(chunks));
    expect(stored[1]?.parts).toEqual([
      { type: "reasoning", text: reasoning },
      { type: "text", text: textOf(chunks) },
    ]);
    // Gemini counts thoughts apart (thoughtsTokenCount): 6 on top of the 12 answer tokens.
    expect(stored[1]?.outputTokens).toBe(18);
    const events = await h.handle.prisma.usageEvent.findMany({ where: { userId } });
    expect(events.map((e) => e.outputTokens)).toEqual([18]);
  });

  it("writes a model-made title after the first answer, keeping the first words until then", async () => {
    const userId = await userWithKey("sk-proj-titleKey0003");
    const chatId = clientId("c");
    const handle = await startTurn(
      turn(userId, chatId, "Plan a trip to Lisbon"),
      never(),
      h.turnDeps({ autoTitle: true }),
    );
    await readAll(handle.stream);
    const title = await (await handle.done).title;
    // The mock echoes the title prompt's user text.
    expect(title).toContain("Plan a trip to Lisbon");
    const chat = await h.handle.prisma.chat.findUniqueOrThrow({
      where: { userId_id: { userId, id: chatId } },
    });
    expect(chat.title).toBe(title);
    // The title call ran on the user's key: its tokens count like the answer's (usage, limits).
    const [key] = await h.handle.prisma.providerKey.findMany({ where: { userId } });
    const events = await h.handle.prisma.usageEvent.findMany({
      where: { userId },
      orderBy: { createdAt: "asc" },
    });
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.messageId === null)).toEqual([false, true]);
    expect(events[1]).toMatchObject({ provider: "openai", keySource: "personal", keyId: key?.id });
    expect(events[1]?.outputTokens).toBeGreaterThan(0);
  });
});

describe("errors before the first token", () => {
  const cases: [string, ProviderId, string, string][] = [
    ["invalid", "openai", "sk-proj-invalidKey00004", "INVALID_API_KEY"],
    ["invalid (Gemini's 400)", "google", "AIzaInvalidKey000000005", "INVALID_API_KEY"],
    ["forbidden", "groq", "gsk_forbiddenKey0000006", "INVALID_API_KEY"],
    ["quota", "openai", "sk-proj-quotaKey0000007", "QUOTA_EXCEEDED"],
    ["quota (Gemini)", "google", "AIzaQuotaKey00000000008", "QUOTA_EXCEEDED"],
    ["server-error", "openai", "sk-proj-serverErrorKey09", "PROVIDER_UNAVAILABLE"],
    ["model-denied", "groq", "gsk_modelDeniedKey00010", "VALIDATION_FAILED"],
  ];
  const models: Record<ProviderId, string> = {
    openai: OPENAI,
    groq: "llama-3.3-70b-versatile",
    google: "gemini-2.5-flash",
    compatible: "x",
  };

  for (const [name, provider, key, code] of cases) {
    it(`${name} → ${code}, no provider text, and nothing of the refused turn stored`, async () => {
      const userId = await userWithKey(key, provider);
      const chatId = clientId("c");
      const t = turn(userId, chatId, `knob ${name}`, { provider, model: models[provider] });
      const err = await failure(
        startTurn(t, never(), h.turnDeps({ retryPolicy: { budgetMs: 0, baseDelayMs: 1, maxAttempts: 1 } })),
      );
      expect(err.code).toBe(code);
      expect(JSON.stringify(err.toJSON())).not.toContain(LEAKY_TEXT);
      expect(JSON.stringify(err.toJSON())).not.toContain(key.slice(-4));
      // The browser shows no message and puts the text back in the composer: neither the
      // message nor the chat its turn would have created may come back in a reload.
      expect(await rows(chatId)).toHaveLength(0);
      expect(await h.handle.prisma.chat.count({ where: { id: chatId } })).toBe(0);
    });
  }

  it("a refused new message in an existing chat is taken back; the earlier turns and the chat stay", async () => {
    const userId = await userWithKey("sk-proj-fineAtFirst00031");
    const chatId = clientId("c");
    const first = await startTurn(turn(userId, chatId, "first, fine"), never(), h.turnDeps());
    await readAll(first.stream);
    expect((await first.done).status).toBe("COMPLETE");
    // The key goes bad (revoked at the provider): the next message is refused.
    await saveKey(userId, "openai", { apiKey: "sk-proj-invalidLater0031" }, undefined, h.deps);
    const err = await failure(startTurn(turn(userId, chatId, "second, refused"), never(), h.turnDeps()));
    expect(err.code).toBe("INVALID_API_KEY");
    const stored = await rows(chatId);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "COMPLETE"],
      ["assistant", "COMPLETE"],
    ]);
    expect(stored[0]?.content).toBe("first, fine");
    expect(await h.handle.prisma.chat.count({ where: { id: chatId } })).toBe(1);

    // The key is now marked invalid: answering the stored message again is refused before the
    // provider is asked, and the stored turn stays as it was.
    const again = await failure(
      startTurn(
        { ...turn(userId, chatId, ""), message: { id: stored[0]?.id ?? "", text: "" }, regenerate: true },
        never(),
        h.turnDeps(),
      ),
    );
    expect(again.code).toBe("INVALID_API_KEY");
    expect((await rows(chatId)).map((m) => [m.role, m.status, m.content])).toEqual(
      stored.map((m) => [m.role, m.status, m.content]),
    );
  });

  it("marks a personal key the provider rejects as INVALID", async () => {
    const userId = await userWithKey("sk-proj-invalidMarkKey11");
    await failure(startTurn(turn(userId, clientId("c"), "hi"), never(), h.turnDeps()));
    const key = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId } });
    expect(key.status).toBe("INVALID");
  });

  it("a rate limit carries retryAfter; retried while retry-after fits the budget", async () => {
    const userId = await userWithKey("sk-proj-ratelimitKey012");
    const noWait = h.turnDeps({ retryPolicy: { budgetMs: 500, baseDelayMs: 100, maxAttempts: 3 } });
    const err = await failure(startTurn(turn(userId, clientId("c"), "hi"), never(), noWait));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryAfter).toBe(1);
    expect(requestsFor("y012")).toHaveLength(1);

    // Once it retries, the response has started (with a transient notice for the browser):
    // the error that ends the retries is the stream's last chunk, and the turn is stored as ERROR.
    const retried = await startTurn(turn(userId, clientId("c"), "hi"), never(), h.turnDeps());
    const events = await readAll(retried.stream);
    expect(events.map((e) => e.type)).toEqual(["data-retry", "error"]);
    expect(events[0]).toMatchObject({ transient: true });
    const errorText = (events[1] as { errorText: string }).errorText;
    expect(JSON.parse(errorText)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
    expect((await retried.done).status).toBe("ERROR");
    expect(requestsFor("y012")).toHaveLength(1 + 3);
    // Refused after the retries like before them: the user row written meanwhile is taken back.
    expect(await h.handle.prisma.chat.count({ where: { userId } })).toBe(0);
    expect(await h.handle.prisma.message.count({ where: { userId } })).toBe(0);
  });

  it("the browser leaving before the first token keeps the claimed turn as ABORTED (a duplicate replays it)", async () => {
    // The mock stalls before its first token; the browser leaves meanwhile (Stop, a closed tab).
    const userId = await userWithKey("sk-proj-stallKey0000032");
    const chatId = clientId("c");
    const ac = new AbortController();
    const started = startTurn(turn(userId, chatId, "never mind"), ac.signal, h.turnDeps());
    await vi.waitFor(() => expect(requestsFor("0032")).toHaveLength(1), { timeout: 5000 });
    ac.abort();
    const err = await failure(started);
    expect(err.status).toBe(499);
    const stored = await rows(chatId);
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "COMPLETE"],
      ["assistant", "ABORTED"],
    ]);
  });

  it("a stalled provider becomes PROVIDER_UNAVAILABLE", async () => {
    const userId = await userWithKey("sk-proj-stallKey0000013");
    const err = await failure(
      startTurn(turn(userId, clientId("c"), "hi"), never(), h.turnDeps({ firstChunkTimeoutMs: 400 })),
    );
    expect(err.code).toBe("PROVIDER_UNAVAILABLE");
  });

  it("no key at all: API_KEY_REQUIRED and nothing stored", async () => {
    const userId = await h.newUser();
    const chatId = clientId("c");
    const err = await failure(startTurn(turn(userId, chatId, "hi"), never(), h.turnDeps()));
    expect(err.code).toBe("API_KEY_REQUIRED");
    expect(await rows(chatId)).toHaveLength(0);
    expect(await h.handle.prisma.chat.count({ where: { id: chatId } })).toBe(0);
  });

  it("retries a 500 and then streams, only before the first chunk", async () => {
    const proxy = await flakyProxy(h.mock.url, 1);
    try {
      const userId = await userWithKey("sk-flaky-recovers-0014", "compatible", `${proxy.url}/compat/v1`);
      const t = turn(userId, clientId("c"), "after a hiccup", {
        provider: "compatible",
        model: "mock-model",
      });
      const handle = await startTurn(
        t,
        never(),
        h.turnDeps({ retryPolicy: { budgetMs: 2000, baseDelayMs: 50, maxAttempts: 3 } }),
      );
      const chunks = await readAll(handle.stream);
      // The retry was announced before the answer: a transient part the browser does not keep.
      expect(chunks[0]).toMatchObject({ type: "data-retry", transient: true });
      expect(chunks[1]).toMatchObject({ type: "start" });
      expect(textOf(chunks)).toContain("Echo (turn 1): after a hiccup");
      expect((await handle.done).status).toBe("COMPLETE");
      expect(requestsFor("0014").map((r) => r.scenario)).toEqual(["server-error", "ok"]);
    } finally {
      await proxy.close();
    }
  });
});

describe("after the first token", () => {
  it("midfail keeps the partial text as an ERROR row and streams our code, not the provider's text", async () => {
    const userId = await userWithKey("sk-proj-midfailKey00015");
    const chatId = clientId("c");
    const handle = await startTurn(turn(userId, chatId, "fail halfway"), never(), h.turnDeps());
    const chunks = await readAll(handle.stream);
    const result = await handle.done;
    const error = chunks.find((c) => c.type === "error");
    expect(error).toBeDefined();
    const payload = JSON.parse((error as { errorText: string }).errorText);
    expect(payload.code).toBe("PROVIDER_UNAVAILABLE");
    expect(JSON.stringify(chunks)).not.toContain(LEAKY_TEXT);
    expect(result.status).toBe("ERROR");
    const stored = await rows(chatId);
    expect(stored[1]).toMatchObject({
      role: "assistant",
      status: "ERROR",
      errorCode: "PROVIDER_UNAVAILABLE",
    });
    expect(stored[1]?.content.length).toBeGreaterThan(0);
    expect(stored[1]?.content).toBe(textOf(chunks));
    // Mid-stream failures are never retried: the user already saw text.
    expect(requestsFor("0015")).toHaveLength(1);
  });

  it("a connection cut mid-answer keeps the partial as an ERROR row and says it broke off", async () => {
    const userId = await userWithKey("sk-proj-midcutKey000021");
    const chatId = clientId("c");
    const handle = await startTurn(turn(userId, chatId, "cut me off"), never(), h.turnDeps());
    const chunks = await readAll(handle.stream);
    const result = await handle.done;
    expect(textOf(chunks).length).toBeGreaterThan(0);
    const error = chunks.find((c) => c.type === "error") as { errorText: string } | undefined;
    expect(JSON.parse(error?.errorText ?? "{}")).toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(chunks.some((c) => c.type === "finish")).toBe(false);
    expect(result).toMatchObject({ status: "ERROR", text: textOf(chunks) });
    const stored = await rows(chatId);
    expect(stored[1]).toMatchObject({ role: "assistant", status: "ERROR", content: textOf(chunks) });
  });

  it("a provider that goes silent after the first token times out with the partial kept", async () => {
    // "slow" spaces tokens 250 ms apart; an idle limit of 100 ms must fire after the first one.
    const userId = await userWithKey("sk-proj-slowKey00000022");
    const chatId = clientId("c");
    const handle = await startTurn(
      turn(userId, chatId, "take your time"),
      never(),
      h.turnDeps({ idleTimeoutMs: 100 }),
    );
    const chunks = await readAll(handle.stream);
    const result = await handle.done;
    const error = chunks.find((c) => c.type === "error") as { errorText: string } | undefined;
    expect(JSON.parse(error?.errorText ?? "{}")).toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      message: "The provider stopped answering. Try again.",
    });
    expect(result.status).toBe("ERROR");
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text).toBe(textOf(chunks));
    await vi.waitFor(() => expect(requestsFor("0022")[0]?.aborted).toBe(true), { timeout: 5000 });
  });

  for (const how of ["browser disconnect", "stream cancel (Stop)"] as const) {
    it(`${how} aborts the upstream and keeps exactly one ABORTED row with the partial`, async () => {
      const userId = await userWithKey(
        how === "browser disconnect" ? "sk-proj-slowKey00000016" : "sk-proj-slowKey00000017",
      );
      const last4 = how === "browser disconnect" ? "0016" : "0017";
      const chatId = clientId("c");
      const ac = new AbortController();
      const handle = await startTurn(turn(userId, chatId, "a long answer please"), ac.signal, h.turnDeps());
      const reader = uiChunks(handle.stream).getReader();
      let seen = "";
      while (seen.split(" ").length < 4) {
        const { value } = await reader.read();
        if (value?.type === "text-delta") seen += value.delta;
      }
      if (how === "browser disconnect") ac.abort();
      else await reader.cancel();
      const result = await handle.done;
      expect(result.status).toBe("ABORTED");
      const stored = await rows(chatId);
      const assistants = stored.filter((m) => m.role === "assistant");
      expect(assistants).toHaveLength(1);
      expect(assistants[0]?.status).toBe("ABORTED");
      expect(assistants[0]?.content.startsWith(seen)).toBe(true);
      expect(assistants[0]?.content.length).toBeGreaterThan(0);
      await vi.waitFor(() => expect(requestsFor(last4)[0]?.aborted).toBe(true), { timeout: 5000 });
    });
  }
});

describe("resending", () => {
  it("the same message and answer ids twice: one user row, one answer, one provider call, replayed", async () => {
    const userId = await userWithKey("sk-proj-resendKey000018");
    const chatId = clientId("c");
    const t = turn(userId, chatId, "only once", { answerId: clientId("a") });
    const first = await startTurn(t, never(), h.turnDeps());
    const firstChunks = await readAll(first.stream);
    await first.done;
    const again = await startTurn(t, never(), h.turnDeps());
    const againChunks = await readAll(again.stream);
    expect(again.assistantMessageId).toBe(t.answerId);
    expect(textOf(againChunks)).toBe(textOf(firstChunks));
    expect(againChunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "COMPLETE" } });
    expect((await again.done).status).toBe("COMPLETE");
    const stored = await rows(chatId);
    expect(stored.map((m) => [m.role, m.id])).toEqual([
      ["user", t.message.id],
      ["assistant", t.answerId],
    ]);
    expect(requestsFor("0018")).toHaveLength(1);
    expect(await h.handle.prisma.usageEvent.count({ where: { userId } })).toBe(1);
  });

  it("a duplicate while the first still streams is refused with TURN_IN_PROGRESS", async () => {
    const userId = await userWithKey("sk-proj-slowKey00000025");
    const t = turn(userId, clientId("c"), "a long answer please", { answerId: clientId("a") });
    const first = await startTurn(t, never(), h.turnDeps());
    const err = await failure(startTurn(t, never(), h.turnDeps()));
    expect(err.code).toBe("TURN_IN_PROGRESS");
    expect(err.status).toBe(409);
    await readAll(first.stream);
    expect((await first.done).status).toBe("COMPLETE");
    expect(requestsFor("0025")).toHaveLength(1);
  });

  it("an answer left STREAMING by a dead process is replayed as ABORTED once its heartbeat is stale", async () => {
    const userId = await userWithKey("sk-proj-crashKey0000026");
    const t = turn(userId, clientId("c"), "crash", { answerId: clientId("a") });
    const first = await startTurn(t, never(), h.turnDeps());
    // The process "dies": its answer is never completed and its heartbeat stops.
    await h.handle.prisma.message.update({
      where: { userId_id: { userId, id: t.answerId as string } },
      data: { heartbeatAt: new Date(Date.now() - 10 * 60_000) },
    });
    const again = await startTurn(t, never(), h.turnDeps());
    expect((await again.done).status).toBe("ABORTED");
    const chunks = await readAll(again.stream);
    expect(chunks.at(-1)).toMatchObject({ type: "finish", messageMetadata: { status: "ABORTED" } });
    const row = await h.handle.prisma.message.findUniqueOrThrow({
      where: { userId_id: { userId, id: t.answerId as string } },
    });
    expect(row.status).toBe("ABORTED");
    // (The first turn's own end still writes what it got.)
    await readAll(first.stream);
    expect(requestsFor("0026")).toHaveLength(1);
  });

  it("an answer id already used for another message is a CONFLICT", async () => {
    const userId = await userWithKey("sk-proj-answerIdKey00027");
    const chatId = clientId("c");
    const a = turn(userId, chatId, "one", { answerId: clientId("a") });
    await readAll((await startTurn(a, never(), h.turnDeps())).stream);
    const b = turn(userId, chatId, "two", { answerId: a.answerId });
    expect((await failure(startTurn(b, never(), h.turnDeps()))).code).toBe("CONFLICT");
    // A user message's id as an answer id, too.
    const c = turn(userId, chatId, "three", { answerId: a.message.id });
    expect((await failure(startTurn(c, never(), h.turnDeps()))).code).toBe("CONFLICT");
  });

  it("the claim says what it created (the chat, the user message) and whether it won the answer id", async () => {
    const userId = await h.newUser();
    const base = {
      userId,
      chatId: clientId("c"),
      title: "t",
      provider: "openai",
      model: OPENAI,
      keySource: "personal" as const,
      message: { id: clientId(), text: "hi" },
    };
    const a1 = clientId("a");
    expect(await claimTurn(h.handle.prisma, { ...base, answerId: a1 })).toEqual({
      claimed: true,
      createdMessage: true,
      createdChat: true,
    });
    expect(await claimTurn(h.handle.prisma, { ...base, answerId: a1 })).toEqual({
      claimed: false,
      createdMessage: false,
      createdChat: false,
    });
    expect(await claimTurn(h.handle.prisma, { ...base, answerId: clientId("a") })).toEqual({
      claimed: true,
      createdMessage: false,
      createdChat: false,
    });
  });

  it("regenerate keeps every version; history shows the newest under its user message", async () => {
    const userId = await userWithKey("sk-proj-regenKey0000019");
    const chatId = clientId("c");
    const first = turn(userId, chatId, "one");
    await readAll((await startTurn(first, never(), h.turnDeps())).stream);
    const second = turn(userId, chatId, "two");
    const h2 = await startTurn(second, never(), h.turnDeps());
    await readAll(h2.stream);
    const old = await h2.done;
    const again = await startTurn(
      { ...second, message: { ...second.message, text: "" }, regenerate: true, answerId: clientId("a") },
      never(),
      h.turnDeps(),
    );
    expect(textOf(await readAll(again.stream))).toContain("Echo (turn 2): two");
    const stored = await rows(chatId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "assistant"]);
    expect(stored[3]?.id).toBe(old.assistantMessageId);
    expect(stored[4]?.id).toBe(again.assistantMessageId);
    expect(stored[4]?.replyToId).toBe(second.message.id);

    const shown = await listMessages(userId, chatId, undefined, h.handle.prisma);
    expect(shown.messages.map((m) => m.id)).toEqual([
      first.message.id,
      expect.any(String),
      second.message.id,
      again.assistantMessageId,
    ]);
    expect(shown.messages[3]?.metadata?.versions).toEqual([old.assistantMessageId, again.assistantMessageId]);
    expect(shown.messages[1]?.metadata?.versions).toBeUndefined();

    // An earlier message answered again branches there (lib/chat/branch.ts): the new version is
    // shown, the later turns stay under the previous one.
    const branched = await startTurn(
      { ...first, regenerate: true, answerId: clientId("a") },
      never(),
      h.turnDeps(),
    );
    expect(textOf(await readAll(branched.stream))).toContain("Echo (turn 1): one");
    const now = await listMessages(userId, chatId, undefined, h.handle.prisma);
    expect(now.messages.map((m) => m.id)).toEqual([first.message.id, branched.assistantMessageId]);
  });
});

describe("rate limits", () => {
  it("system-key traffic spends a smaller per-user budget of its own (RATE_LIMITED + retryAfter)", async () => {
    process.env.RATE_LIMIT_SYSTEM_KEY_PER_MINUTE = "2";
    const g = globalThis as { __byokEnv?: unknown; __byokLimits?: unknown };
    g.__byokEnv = undefined;
    g.__byokLimits = undefined;
    h.systemKeys.openai = "sk-mock-system-key-0020";
    try {
      const deps = h.turnDeps({ checkRateLimit: checkChatRateLimit });
      const userId = await h.newUser();
      for (let i = 0; i < 2; i++) {
        const handle = await startTurn(turn(userId, clientId("c"), "hi"), never(), deps);
        expect((await readAll(handle.stream))[0]).toMatchObject({ messageMetadata: { keySource: "system" } });
      }
      const chatId = clientId("c");
      const err = await failure(startTurn(turn(userId, chatId, "hi"), never(), deps));
      expect(err.code).toBe("RATE_LIMITED");
      expect(err.retryAfter).toBeGreaterThan(0);
      expect(await rows(chatId)).toHaveLength(0);
      // Another user is unaffected.
      const other = await h.newUser();
      await readAll((await startTurn(turn(other, clientId("c"), "hi"), never(), deps)).stream);
    } finally {
      delete h.systemKeys.openai;
      delete process.env.RATE_LIMIT_SYSTEM_KEY_PER_MINUTE;
      g.__byokEnv = undefined;
    }
  });
});
