import { describe, expect, it } from "vitest";
import { costMicros } from "@/lib/ai/prices";
import { AppError } from "@/lib/errors";
import { parseJson } from "@/lib/http";
import { buildContext } from "./context";
import { initialSelection, pickerProviders } from "./picker";
import { nextDelayMs } from "./retry";
import { chatRequestSchema } from "./schemas";
import { cleanTitle, fallbackTitle } from "./titles";

// The pure parts of lib/chat: request validation, context trimming, retry decisions, prices,
// titles and the model picker's choice.

const post = (body: unknown) =>
  new Request("http://app.test/api/chat", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
const ok = {
  id: "chat12345",
  message: { id: "msg123456", text: "hi" },
  provider: "openai",
  model: "gpt-5-mini",
};

describe("POST /api/chat body", () => {
  const schema = chatRequestSchema(10);
  it("accepts a well-formed turn, including any model id for compatible", async () => {
    expect(await parseJson(post(ok), schema)).toMatchObject(ok);
    expect(
      await parseJson(post({ ...ok, provider: "compatible", model: "org/model:7b" }), schema),
    ).toBeTruthy();
  });
  it.each([
    // Whether a well-formed id is offered (registry or the key's listed models) is the turn's check.
    ["a malformed model id", { ...ok, model: "gpt 5 mini!" }],
    ["an unknown provider", { ...ok, provider: "anthropic" }],
    ["an unknown field", { ...ok, messages: [] }],
    ["a blank message", { ...ok, message: { id: "msg123456", text: "   " } }],
    ["a message over the limit", { ...ok, message: { id: "msg123456", text: "x".repeat(11) } }],
    ["a malformed id", { ...ok, id: "../../etc" }],
  ])("refuses %s with VALIDATION_FAILED", async (_name, body) => {
    await expect(parseJson(post(body), schema)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("context", () => {
  it("keeps the newest messages within budget, starts on a user turn, merges neighbours", () => {
    const msgs = [
      { role: "user", content: "a".repeat(50) },
      { role: "assistant", content: "b".repeat(50) },
      { role: "user", content: "c".repeat(10) },
      { role: "assistant", content: "" }, // a failed turn
      { role: "user", content: "d".repeat(10) },
    ];
    expect(buildContext(msgs, 75)).toEqual([
      { role: "user", content: `${"c".repeat(10)}\n\n${"d".repeat(10)}` },
    ]);
    expect(buildContext(msgs, 1000)).toHaveLength(3);
    expect(buildContext([{ role: "user", content: "x".repeat(500) }], 10)).toHaveLength(1);
  });
});

describe("retry decisions", () => {
  const policy = { budgetMs: 5000, baseDelayMs: 400, maxAttempts: 3 };
  const unavailable = new AppError("PROVIDER_UNAVAILABLE");
  it("backs off on retryable errors within the budget and the attempt cap", () => {
    expect(nextDelayMs(0, unavailable, true, 0, policy)).toBe(400);
    expect(nextDelayMs(1, unavailable, true, 400, policy)).toBe(800);
    expect(nextDelayMs(2, unavailable, true, 1200, policy)).toBeUndefined();
    expect(nextDelayMs(0, unavailable, false, 0, policy)).toBeUndefined();
  });
  it("honours a retry-after that fits, gives up on one that does not", () => {
    expect(nextDelayMs(0, new AppError("RATE_LIMITED", "", { retryAfter: 2 }), true, 0, policy)).toBe(2000);
    expect(
      nextDelayMs(0, new AppError("RATE_LIMITED", "", { retryAfter: 30 }), true, 0, policy),
    ).toBeUndefined();
  });
});

describe("prices and titles", () => {
  it("prices per 1M tokens are micro-dollars per token; unknown models cost 0", () => {
    expect(costMicros("openai", "gpt-4o-mini", 1000, 1000)).toBe(150 + 600);
    expect(costMicros("compatible", "llama3", 1000, 1000)).toBe(0);
  });
  it("titles: first words now, a cleaned model title later", () => {
    expect(fallbackTitle("  How   do I\ncenter a div in CSS grid please thanks ")).toBe(
      "How do I center a div in",
    );
    expect(cleanTitle('Title: "Centering a Div."\nmore')).toBe("Centering a Div");
    expect(cleanTitle("   ")).toBeUndefined();
  });
});

describe("model picker", () => {
  const providers = pickerProviders([
    { provider: "openai", label: "OpenAI", source: "system" },
    { provider: "groq", label: "Groq", source: "personal" },
    { provider: "google", label: "Google", source: null },
  ]);
  it("offers only usable providers and starts on the first usable candidate", () => {
    expect(providers.map((p) => p.id)).toEqual(["openai", "groq"]);
    expect(
      initialSelection(providers, [
        { provider: "google", model: "gemini-2.5-flash" },
        { provider: "groq", model: "llama-3.1-8b-instant" },
      ]),
    ).toEqual({
      provider: "groq",
      model: "llama-3.1-8b-instant",
    });
    expect(initialSelection(providers, [{ provider: "openai", model: "retired-model" }])).toEqual({
      provider: "openai",
      model: "gpt-5-mini",
    });
    expect(initialSelection([], [])).toBeNull();
  });
});
