import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { AppError } from "@/lib/errors";
import { saveKey } from "@/lib/keys/save";
import { setSystemPrompt } from "@/lib/keys/settings";
import { clientId, readAll, textOf } from "@/test/chat-stream";
import { type Harness, startHarness } from "@/test/harness";
import { updateChatSettings } from "./chat-settings";
import { listMessages } from "./history";
import { type ChatSettings, resolveParams } from "./params";
import { chatRequestSchema, chatSettingsUpdateSchema } from "./schemas";
import { startTurn } from "./turn";

vi.mock("server-only", () => ({}));

// Instructions and parameters end to end: the turn's settings reach the provider in ITS wire
// format (read back from the mock upstream's request log), are stored with the chat and with
// the answer; reasoning tokens are counted. Real database, vault, provider SDKs and mock.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
const SETTINGS: ChatSettings = {
  systemPrompt: "Answer like a pirate.",
  temperature: 0.3,
  maxOutputTokens: 256,
};

async function userWith(provider: ProviderId, apiKey: string) {
  const userId = await h.newUser();
  if (provider === "compatible") await h.saveCompatibleKey(userId, apiKey);
  else await saveKey(userId, provider, { apiKey }, undefined, h.deps);
  return userId;
}

async function runTurn(
  userId: string,
  chatId: string,
  provider: ProviderId,
  model: string,
  settings?: ChatSettings,
  text = "ahoy",
) {
  const handle = await startTurn(
    { userId, chatId, message: { id: clientId(), text }, provider, model, ...(settings ? { settings } : {}) },
    never(),
    h.turnDeps(),
  );
  const chunks = await readAll(handle.stream);
  return { chunks, result: await handle.done };
}

/** The body of the last generation request made with a key ending in `last4`. */
function lastBody(last4: string): Record<string, unknown> {
  const r = h.mock
    .requests()
    .filter((e) => e.keyLast4 === last4 && e.kind === "generate")
    .at(-1);
  if (!r?.body) throw new Error(`no generation request for ${last4}`);
  return r.body;
}

type Wire = { system: unknown; temperature: unknown; maxOutput: unknown };
/** The fields read from the three wire formats. */
type Body = {
  input?: unknown[];
  messages?: unknown[];
  temperature?: unknown;
  max_output_tokens?: unknown;
  max_tokens?: unknown;
  systemInstruction?: unknown;
  generationConfig?: { temperature?: unknown; maxOutputTokens?: unknown };
};
const CASES: { name: string; provider: ProviderId; model: string; key: string; wire: (b: Body) => Wire }[] = [
  {
    name: "OpenAI (Responses: input[0] system, temperature, max_output_tokens)",
    provider: "openai",
    model: "gpt-4.1-mini",
    key: "sk-proj-paramsOpenai0001",
    wire: (b) => ({ system: b.input?.[0], temperature: b.temperature, maxOutput: b.max_output_tokens }),
  },
  {
    name: "Groq (Chat Completions: messages[0] system, temperature, max_tokens)",
    provider: "groq",
    model: "llama-3.3-70b-versatile",
    key: "gsk_paramsGroqKey0002",
    wire: (b) => ({ system: b.messages?.[0], temperature: b.temperature, maxOutput: b.max_tokens }),
  },
  {
    name: "Gemini (systemInstruction, generationConfig.temperature / maxOutputTokens)",
    provider: "google",
    model: "gemini-2.5-flash",
    key: "AIzaParamsGoogleKey0003",
    wire: (b) => ({
      system: b.systemInstruction,
      temperature: b.generationConfig?.temperature,
      maxOutput: b.generationConfig?.maxOutputTokens,
    }),
  },
  {
    name: "OpenAI-compatible (Chat Completions)",
    provider: "compatible",
    model: "mock-model",
    key: "local-params-key-0004",
    wire: (b) => ({ system: b.messages?.[0], temperature: b.temperature, maxOutput: b.max_tokens }),
  },
];

describe("the chat's settings arrive upstream in each provider's wire format", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const userId = await userWith(c.provider, c.key);
      const chatId = clientId("c");
      const { result } = await runTurn(userId, chatId, c.provider, c.model, SETTINGS);
      expect(result.status).toBe("COMPLETE");

      const wire = c.wire(lastBody(c.key.slice(-4)));
      expect(wire.temperature).toBe(0.3);
      expect(wire.maxOutput).toBe(256);
      if (c.provider === "google") expect(wire.system).toEqual({ parts: [{ text: SETTINGS.systemPrompt }] });
      else expect(wire.system).toEqual({ role: "system", content: SETTINGS.systemPrompt });

      // Stored with the chat (first send) and with the answer.
      const chat = await h.handle.prisma.chat.findUniqueOrThrow({
        where: { userId_id: { userId, id: chatId } },
      });
      expect(chat).toMatchObject(SETTINGS);
      const answer = await h.handle.prisma.message.findFirstOrThrow({ where: { chatId, role: "assistant" } });
      expect(answer.params).toEqual({
        system: true,
        systemSource: "chat",
        temperature: 0.3,
        maxOutputTokens: 256,
      });
    });
  }

  it("sends nothing extra when the chat has no settings and the user no default", async () => {
    const userId = await userWith("groq", "gsk_paramsNoneKey0005");
    await runTurn(userId, clientId("c"), "groq", "llama-3.3-70b-versatile");
    const body = lastBody("0005") as { messages: { role: string }[] };
    expect(body.messages.map((m) => m.role)).toEqual(["user"]);
    expect(body).not.toHaveProperty("temperature");
    expect(body).not.toHaveProperty("max_tokens");
  });
});

describe("where the settings come from", () => {
  it("the user's default instructions, unless the chat has its own; stored ones when the request has none", async () => {
    const userId = await userWith("google", "AIzaParamsDefaultKey0006");
    await setSystemPrompt(userId, "Use metric units.", h.deps);
    const chatId = clientId("c");
    const system = () => (lastBody("0006") as { systemInstruction?: unknown }).systemInstruction;

    const first = await runTurn(userId, chatId, "google", "gemini-2.5-flash");
    expect(system()).toEqual({ parts: [{ text: "Use metric units." }] });
    const answers = () =>
      h.handle.prisma.message.findMany({
        where: { chatId, role: "assistant" },
        orderBy: { createdAt: "asc" },
      });
    expect((await answers())[0]?.params).toEqual({ system: true, systemSource: "default" });
    expect(first.result.status).toBe("COMPLETE");

    // The settings dialog saved the chat's own, then a turn without settings in its body.
    await updateChatSettings(
      userId,
      chatId,
      { systemPrompt: "Be terse.", temperature: 1.2, maxOutputTokens: null },
      h.handle.prisma,
    );
    await runTurn(userId, chatId, "google", "gemini-2.5-flash", undefined, "again");
    expect(system()).toEqual({ parts: [{ text: "Be terse." }] });
    expect(
      (lastBody("0006") as { generationConfig: { temperature: number } }).generationConfig.temperature,
    ).toBe(1.2);

    // Changed in the request: used and stored.
    const next: ChatSettings = { systemPrompt: null, temperature: null, maxOutputTokens: 64 };
    await runTurn(userId, chatId, "google", "gemini-2.5-flash", next, "third");
    expect(system()).toEqual({ parts: [{ text: "Use metric units." }] });
    const chat = await h.handle.prisma.chat.findUniqueOrThrow({
      where: { userId_id: { userId, id: chatId } },
    });
    expect(chat).toMatchObject(next);
    expect((await answers()).map((a) => a.params)).toEqual([
      { system: true, systemSource: "default" },
      { system: true, systemSource: "chat", temperature: 1.2 },
      { system: true, systemSource: "default", maxOutputTokens: 64 },
    ]);
  });

  it("caps max output at the model's limit and records a temperature the model ignores", async () => {
    const userId = await userWith("openai", "sk-proj-paramsCapKey0007");
    const chatId = clientId("c");
    const huge: ChatSettings = { systemPrompt: "Hi.", temperature: 0.5, maxOutputTokens: 500_000 };
    await runTurn(userId, chatId, "openai", "gpt-5-mini", huge);
    const body = lastBody("0007") as {
      input: { role: string }[];
      temperature?: number;
      max_output_tokens: number;
    };
    expect(body.max_output_tokens).toBe(128_000);
    // A reasoning model: the SDK sends the instructions as the developer message, drops temperature.
    expect(body.input[0]).toMatchObject({ role: "developer", content: "Hi." });
    expect(body).not.toHaveProperty("temperature");
    const answer = await h.handle.prisma.message.findFirstOrThrow({ where: { chatId, role: "assistant" } });
    expect(answer.params).toMatchObject({
      temperature: 0.5,
      temperatureIgnored: true,
      maxOutputTokens: 128_000,
    });
    // The chat keeps what the user set (another model may take more).
    expect(
      (await h.handle.prisma.chat.findUniqueOrThrow({ where: { userId_id: { userId, id: chatId } } }))
        .maxOutputTokens,
    ).toBe(500_000);
  });

  it("a chat set to No instructions sends no system message although the user has a default", async () => {
    const userId = await userWith("groq", "gsk_paramsNoSystemKey0010");
    await setSystemPrompt(userId, "Always answer in French.", h.deps);
    const chatId = clientId("c");
    const roles = () => (lastBody("0010") as { messages: { role: string }[] }).messages.map((m) => m.role);
    await runTurn(userId, chatId, "groq", "llama-3.3-70b-versatile");
    expect(roles()).toEqual(["system", "user"]);

    // What the dialog sends for "No instructions", through the PUT route's schema.
    const body = chatSettingsUpdateSchema.parse({
      settings: { systemPrompt: "", temperature: null, maxOutputTokens: null },
      provider: "groq",
      model: "llama-3.3-70b-versatile",
    });
    await updateChatSettings(userId, chatId, body.settings, h.handle.prisma);
    await runTurn(userId, chatId, "groq", "llama-3.3-70b-versatile", undefined, "again");
    expect(roles()).toEqual(["user", "assistant", "user"]);
    const answers = await h.handle.prisma.message.findMany({
      where: { chatId, role: "assistant" },
      orderBy: { createdAt: "asc" },
    });
    expect(answers.map((a) => a.params)).toEqual([
      { system: true, systemSource: "default" },
      { system: false },
    ]);

    // Sent with a new chat's first message instead: the same.
    const fresh = clientId("c");
    await runTurn(userId, fresh, "groq", "llama-3.3-70b-versatile", body.settings, "new");
    expect(roles()).toEqual(["user"]);
  });

  it("resolveParams: empty own instructions mean none, even with a default", () => {
    const r = resolveParams(
      { systemPrompt: "  ", temperature: null, maxOutputTokens: null },
      "Default",
      "groq",
      "x",
    );
    expect(r).toEqual({ call: {}, record: { system: false } });
  });
});

describe("reasoning", () => {
  it("counts reasoning tokens on the answer and the usage event, and the history shows the thoughts", async () => {
    const userId = await userWith("groq", "gsk_mock_reasoning_params0008");
    const chatId = clientId("c");
    const { chunks, result } = await runTurn(
      userId,
      chatId,
      "groq",
      "openai/gpt-oss-20b",
      undefined,
      "think",
    );
    const reasoning = chunks.map((c) => (c.type === "reasoning-delta" ? c.delta : "")).join("");
    expect(reasoning).toContain("Thinking (turn 1)");
    // The mock sends 12 answer frames and 6 reasoning frames, one token each.
    expect(result.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 18, reasoningTokens: 6 });
    expect(chunks.at(-1)).toMatchObject({
      type: "finish",
      messageMetadata: { usage: { reasoningTokens: 6 } },
    });
    const answer = await h.handle.prisma.message.findFirstOrThrow({ where: { chatId, role: "assistant" } });
    expect(answer.reasoningTokens).toBe(6);
    const events = await h.handle.prisma.usageEvent.findMany({ where: { userId } });
    expect(events.map((e) => [e.outputTokens, e.reasoningTokens])).toEqual([[18, 6]]);

    const page = await listMessages(userId, chatId, {}, h.handle.prisma);
    const shown = page.messages[1];
    expect(shown?.parts).toEqual([
      { type: "reasoning", text: reasoning, state: "done" },
      { type: "text", text: textOf(chunks) },
    ]);
    expect(shown?.metadata?.usage).toEqual({
      inputTokens: expect.any(Number),
      outputTokens: 18,
      reasoningTokens: 6,
    });
    expect(shown?.metadata?.params).toEqual({ system: false });
  });
});

describe("validation", () => {
  const schema = chatRequestSchema(1000);
  const body = (settings: unknown, provider = "groq", model = "llama-3.3-70b-versatile") => ({
    id: "chat-0000001",
    message: { id: "msg-0000001", text: "hi" },
    provider,
    model,
    settings,
  });
  const issue = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
    r.success ? undefined : r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");

  it("accepts the provider's temperature range and refuses outside it", () => {
    expect(schema.safeParse(body({ ...SETTINGS, temperature: 2 })).success).toBe(true);
    expect(schema.safeParse(body({ ...SETTINGS, temperature: 0 })).success).toBe(true);
    expect(issue(schema.safeParse(body({ ...SETTINGS, temperature: 2.5 })))).toMatch(
      /settings\.temperature: Temperature is between 0 and 2/,
    );
    expect(issue(schema.safeParse(body({ ...SETTINGS, temperature: -0.1 })))).toMatch(/temperature/);
  });

  it("refuses a bad max output, over-long instructions and unknown fields", () => {
    expect(issue(schema.safeParse(body({ ...SETTINGS, maxOutputTokens: 0 })))).toMatch(/maxOutputTokens/);
    expect(issue(schema.safeParse(body({ ...SETTINGS, maxOutputTokens: 1.5 })))).toMatch(/whole number/);
    expect(issue(schema.safeParse(body({ ...SETTINGS, systemPrompt: "x".repeat(8001) })))).toMatch(
      /at most 8000/,
    );
    expect(schema.safeParse(body({ ...SETTINGS, topK: 3 })).success).toBe(false);
    expect(schema.safeParse(body(undefined)).success).toBe(true);
  });

  it("the settings dialog's save is checked against the model's own limit", () => {
    const put = (maxOutputTokens: number, model: string) =>
      chatSettingsUpdateSchema.safeParse({
        settings: { ...SETTINGS, maxOutputTokens },
        provider: "groq",
        model,
      });
    expect(put(8192, "meta-llama/llama-4-scout-17b-16e-instruct").success).toBe(true);
    expect(issue(put(8193, "meta-llama/llama-4-scout-17b-16e-instruct"))).toMatch(
      /between 1 and 8,192 tokens for this model/,
    );
  });

  it("another user's chat cannot be changed (NOT_FOUND)", async () => {
    const owner = await userWith("groq", "gsk_paramsOwnerKey0009");
    const chatId = clientId("c");
    await runTurn(owner, chatId, "groq", "llama-3.3-70b-versatile", SETTINGS);
    const other = await h.newUser();
    await expect(updateChatSettings(other, chatId, SETTINGS, h.handle.prisma)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(updateChatSettings(other, chatId, SETTINGS, h.handle.prisma)).rejects.toBeInstanceOf(
      AppError,
    );
    const chat = await h.handle.prisma.chat.findUniqueOrThrow({
      where: { userId_id: { userId: owner, id: chatId } },
    });
    expect(chat.systemPrompt).toBe(SETTINGS.systemPrompt);
  });
});
