import { generateText, streamText } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, type ErrorCode } from "@/lib/errors";
import type { MockUpstream } from "@/test/harness";
import { pointEnvAt } from "@/test/harness";
import { PROVIDER_CASES, type ProviderCase, startMockForProviders } from "@/test/providers";
import { isRetryable, toAppError } from "./errors";
import { createLanguageModel } from "./model";

vi.mock("server-only", () => ({}));

// Real @ai-sdk providers against the mock upstream's real wire formats: the code users run.

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockForProviders();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const modelFor = (c: ProviderCase, knob: string) =>
  createLanguageModel({
    provider: c.provider,
    apiKey: c.key(knob),
    modelId: c.modelId,
    baseUrl: c.baseUrl?.(mock),
    openaiApi: c.openaiApi,
  });

type Run = { deltas: string[]; error?: unknown; thrown?: unknown };

async function run(c: ProviderCase, knob: string, opts: { abortSignal?: AbortSignal } = {}): Promise<Run> {
  const result = streamText({
    model: modelFor(c, knob),
    messages: [
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: `tell me about ${knob} please` },
    ],
    maxRetries: 0,
    onError: () => {},
    ...opts,
  });
  const out: Run = { deltas: [] };
  try {
    for await (const part of result.fullStream) {
      if (part.type === "text-delta" && part.text) out.deltas.push(part.text);
      if (part.type === "error") out.error = part.error;
    }
  } catch (e) {
    out.thrown = e; // a connection cut mid-body rejects the iteration instead of sending a part
  }
  return out;
}

function expectClean(err: AppError, c: ProviderCase, knob: string) {
  const key = c.key(knob);
  const shown = JSON.stringify(err.toJSON()) + err.message;
  expect(shown).not.toContain("LEAKY-PROVIDER-TEXT");
  expect(shown).not.toContain(key.slice(-4));
  expect(shown).not.toContain(key.slice(0, 8));
}

const EXPECTED: [knob: string, code: ErrorCode, retryable: boolean][] = [
  ["invalid", "INVALID_API_KEY", false],
  ["forbidden", "INVALID_API_KEY", false],
  ["quota", "QUOTA_EXCEEDED", false],
  ["ratelimit", "RATE_LIMITED", true],
  ["server-error", "PROVIDER_UNAVAILABLE", true],
  ["model-denied", "VALIDATION_FAILED", false],
];

describe.each(PROVIDER_CASES)("$name", (c) => {
  it("streams several text deltas with the prompt echo, the turn number and usage", async () => {
    const result = streamText({
      model: modelFor(c, "ok"),
      messages: [
        { role: "user", content: "hello" },
        { role: "assistant", content: "hi there" },
        { role: "user", content: "what is BYOK?" },
      ],
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const t of result.textStream) if (t) deltas.push(t);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toContain("Echo (turn 2): what is BYOK?");
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(8);
    expect(mock.requests()[0]).toMatchObject({
      provider: c.provider,
      stream: true,
      tokensSent: 8,
      keyLast4: "wxyz",
    });
  });

  it("answers without streaming too", async () => {
    const { text, usage } = await generateText({
      model: modelFor(c, "ok"),
      prompt: "plain call",
      maxRetries: 0,
    });
    expect(text).toContain("Echo (turn 1): plain call");
    expect(usage.outputTokens).toBe(8);
  });

  it.each(EXPECTED)("%s → %s, no provider text in the AppError", async (knob, code, retryable) => {
    const r = await run(c, knob);
    expect(r.deltas).toEqual([]);
    expect(r.error).toBeDefined();
    const err = toAppError(r.error, c.provider);
    expect(err.code).toBe(code);
    expect(isRetryable(r.error)).toBe(retryable);
    if (knob === "ratelimit") expect(err.retryAfter).toBe(2);
    expectClean(err, c, knob);
  });

  it("midfail: partial text, then an in-stream error mapped to PROVIDER_UNAVAILABLE", async () => {
    const r = await run(c, "midfail");
    expect(r.deltas.length).toBeGreaterThan(0);
    expect(r.deltas.join("")).toMatch(/^Echo/);
    const err = toAppError(r.error, c.provider);
    expect(err.code).toBe("PROVIDER_UNAVAILABLE");
    expectClean(err, c, "midfail");
  });

  it("midcut: partial text, then the iteration rejects; mapped to PROVIDER_UNAVAILABLE", async () => {
    const r = await run(c, "midcut");
    expect(r.deltas.length).toBeGreaterThan(0);
    const failure = r.error ?? r.thrown;
    expect(toAppError(failure, c.provider).code).toBe("PROVIDER_UNAVAILABLE");
    expect(isRetryable(failure)).toBe(false);
  });

  it("stall + abort: the request ends and the mock logs the client abort", async () => {
    const ac = new AbortController();
    const pending = run(c, "stall", { abortSignal: ac.signal });
    await expect.poll(() => mock.requests()[0]?.status).toBe(200);
    ac.abort();
    const r = await pending;
    expect(r.deltas).toEqual([]);
    await expect.poll(() => mock.requests()[0]?.aborted).toBe(true);
  });
});

describe("createLanguageModel guards", () => {
  it("never falls back to the environment's key", () => {
    process.env.OPENAI_API_KEY = "sk-system-key-should-not-be-used";
    expect(() => createLanguageModel({ provider: "openai", apiKey: "  ", modelId: "gpt-5-mini" })).toThrow(
      expect.objectContaining({ code: "API_KEY_REQUIRED" }),
    );
    delete process.env.OPENAI_API_KEY;
  });

  it("requires an http(s) base URL for compatible", () => {
    const make = (baseUrl?: string) =>
      createLanguageModel({ provider: "compatible", apiKey: "k-123456789", modelId: "m", baseUrl });
    expect(make).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
    expect(() => make("ftp://example.com/v1")).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(() => make("https://user:pw@example.com/v1")).toThrow(AppError);
    expect(make("https://example.com/v1/")).toBeDefined();
  });

  it("retries on a rate limit surface as RetryError and still map by the last error", async () => {
    const c = PROVIDER_CASES[0] as ProviderCase;
    const fast = await startMockForProviders({ retryAfterSeconds: 0 });
    try {
      const result = streamText({
        model: modelFor(c, "ratelimit"),
        prompt: "x",
        maxRetries: 1,
        onError: () => {},
      });
      let error: unknown;
      for await (const part of result.fullStream) if (part.type === "error") error = part.error;
      expect((error as Error).name).toBe("AI_RetryError");
      expect(toAppError(error).code).toBe("RATE_LIMITED");
      expect(fast.requests()).toHaveLength(2);
    } finally {
      await fast.close();
      pointEnvAt(mock);
    }
  });
});
