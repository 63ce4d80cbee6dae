import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LEAKY_TEXT, type MockUpstream, startMockUpstream } from "./server.mjs";

// The mock's own contract, over plain HTTP: wire shapes, knobs, the request log.

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ tokens: 6, stallMs: 20_000 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const openaiHeaders = (key: string) => ({
  authorization: `Bearer ${key}`,
  "content-type": "application/json",
});
const chatBody = (extra: object = {}) =>
  JSON.stringify({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "ping one" }], ...extra });

/** Data payloads of an SSE body (CRLF or LF separated). */
const sseData = (text: string) =>
  text
    .split(/\r?\n\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .find((l) => l.startsWith("data: "))
        ?.slice(6),
    )
    .filter((d): d is string => d !== undefined);

describe("wire formats", () => {
  it("streams chat completions with usage last when include_usage is set", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-ok-11112222"),
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toContain("Echo (turn 1): ping one");
    expect(chunks.at(-1).choices).toEqual([]);
    expect(chunks.at(-1).usage.completion_tokens).toBe(6);
  });

  it("puts Groq's streamed usage in x_groq and omits the usage chunk", async () => {
    const res = await fetch(`${mock.url}/openai/v1/chat/completions`, {
      method: "POST",
      headers: openaiHeaders("gsk_mock_ok_11112222"),
      body: chatBody({ stream: true }),
    });
    const chunks = sseData(await res.text())
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    expect(chunks.at(-1).x_groq.usage.total_tokens).toBeGreaterThan(6);
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it("streams Responses API events in order and counts user turns", async () => {
    const input = [
      { role: "user", content: [{ type: "input_text", text: "first" }] },
      { role: "assistant", content: "reply" },
      { role: "user", content: [{ type: "input_text", text: "second question" }] },
    ];
    const res = await fetch(`${mock.url}/v1/responses`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-ok-11112222"),
      body: JSON.stringify({ model: "gpt-5-mini", stream: true, input }),
    });
    const events = sseData(await res.text()).map((d) => JSON.parse(d));
    expect(events[0].type).toBe("response.created");
    expect(events.at(-1).type).toBe("response.completed");
    const deltas = events.filter((e) => e.type === "response.output_text.delta");
    expect(deltas).toHaveLength(6);
    expect(deltas.map((e) => e.delta).join("")).toContain("Echo (turn 2): second question");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it("answers Gemini with ?key= and with the header, and lists models", async () => {
    const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hola" }] }] });
    const viaQuery = await fetch(
      `${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIza-mock-ok-9999`,
      { method: "POST", body },
    );
    const chunks = sseData(await viaQuery.text()).map((d) => JSON.parse(d));
    expect(chunks.at(-1).candidates[0].finishReason).toBe("STOP");
    const viaHeader = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-mock-ok-8888" },
      body,
    });
    expect((await viaHeader.json()).candidates[0].content.parts[0].text).toContain("Echo (turn 1): hola");
    const models = await fetch(`${mock.url}/v1beta/models`, {
      headers: { "x-goog-api-key": "AIza-mock-ok-7777" },
    });
    expect((await models.json()).models[0].name).toMatch(/^models\//);
    const log = mock.requests();
    expect(log.map((r) => r.keyLast4)).toEqual(["9999", "8888", "7777"]);
    expect(log.every((r) => !r.path.includes("key="))).toBe(true);
  });
});

describe("reasoning knob", () => {
  // tokens: 6 → 3 reasoning frames before the 6 answer frames.
  it("Responses API: a reasoning item with a streamed summary, then the message at index 1", async () => {
    const res = await fetch(`${mock.url}/v1/responses`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-reasoning-abcd1234"),
      body: JSON.stringify({
        model: "gpt-5-mini",
        stream: true,
        input: "why",
        include: ["reasoning.encrypted_content"],
      }),
    });
    const events = sseData(await res.text()).map((d) => JSON.parse(d));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
    ]);
    expect(events[2].item).toMatchObject({ type: "reasoning", summary: [] });
    const summary = events.filter((e) => e.type === "response.reasoning_summary_text.delta");
    expect(summary).toHaveLength(3);
    const reasoning = summary.map((e) => e.delta).join("");
    expect(reasoning).toBe('Thinking (turn 1): the user wrote "why"; echo it back.');
    // The reasoning item closes before the message opens.
    const doneAt = types.indexOf("response.output_item.done");
    expect(events[doneAt].item).toMatchObject({
      type: "reasoning",
      summary: [{ type: "summary_text", text: reasoning }],
      encrypted_content: expect.any(String),
    });
    expect(types.indexOf("response.output_text.delta")).toBeGreaterThan(doneAt);
    expect(events.find((e) => e.type === "response.output_text.delta").output_index).toBe(1);
    const done = events.at(-1).response;
    expect(done.output.map((o: { type: string }) => o.type)).toEqual(["reasoning", "message"]);
    expect(done.usage.output_tokens).toBe(9);
    expect(done.usage.output_tokens_details.reasoning_tokens).toBe(3);
    expect(mock.requests()[0]).toMatchObject({ tokensSent: 6, reasoningSent: 3 });
  });

  it("Groq streams delta.reasoning before the content; OpenAI Chat Completions only counts it", async () => {
    const groq = await fetch(`${mock.url}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { ...openaiHeaders("gsk_mock_ok_abcd1234"), "x-mock-reasoning": "1" },
      body: chatBody({ model: "openai/gpt-oss-20b", stream: true }),
    });
    const chunks = sseData(await groq.text())
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    const deltas = chunks.map((c) => c.choices[0]?.delta ?? {});
    const firstContent = deltas.findIndex((d) => d.content);
    expect(deltas.slice(1, firstContent).every((d) => typeof d.reasoning === "string")).toBe(true);
    expect(deltas.map((d) => d.reasoning ?? "").join("")).toContain("Thinking (turn 1)");
    expect(chunks.at(-1).x_groq.usage.completion_tokens_details.reasoning_tokens).toBe(3);

    const openai = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-reasoning-abcd1234"),
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    const text = await openai.text();
    expect(text).not.toContain("Thinking");
    const usage = JSON.parse(sseData(text).at(-2) ?? "{}").usage;
    expect(usage).toMatchObject({ completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 3 } });
  });

  it("Gemini sends thought parts first when includeThoughts is on, and counts them apart (thoughtsTokenCount)", async () => {
    const body = JSON.stringify({
      contents: [{ role: "user", parts: [{ text: "hola" }] }],
      generationConfig: { thinkingConfig: { includeThoughts: true } },
    });
    const res = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-mock-reasoning-9999" },
      body,
    });
    const chunks = sseData(await res.text()).map((d) => JSON.parse(d));
    const parts = chunks.map((c) => c.candidates[0].content.parts[0]);
    expect(parts.slice(0, 3).every((p) => p.thought === true)).toBe(true);
    expect(parts.slice(3).some((p) => p.thought)).toBe(false);
    expect(chunks.at(-1).usageMetadata).toMatchObject({ candidatesTokenCount: 6, thoughtsTokenCount: 3 });
    const json = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-mock-reasoning-9999" },
      body,
    });
    const [thought, answer] = (await json.json()).candidates[0].content.parts;
    expect(thought).toMatchObject({ thought: true, text: expect.stringContaining("Thinking") });
    expect(answer.text).toContain("Echo (turn 1): hola");
  });

  it("Gemini without includeThoughts: the thinking is counted, never shown", async () => {
    const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hola" }] }] });
    const res = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-mock-reasoning-9998" },
      body,
    });
    const chunks = sseData(await res.text()).map((d) => JSON.parse(d));
    expect(chunks.flatMap((c) => c.candidates[0].content.parts).some((p) => p.thought)).toBe(false);
    expect(chunks.at(-1).usageMetadata).toMatchObject({ candidatesTokenCount: 6, thoughtsTokenCount: 3 });
    const last = mock.requests().at(-1);
    expect(last).toMatchObject({ reasoningSent: 0, tokensSent: 6 });
    expect(last?.body).toEqual(JSON.parse(body));
  });
});

describe("knobs", () => {
  const cases = [
    ["openai", "/v1/chat/completions", "sk-mock-%s-abcd1234"],
    ["groq", "/openai/v1/chat/completions", "gsk_mock_%s_abcd1234"],
    ["google", "/v1beta/models/gemini-2.5-flash:generateContent", "AIza-mock-%s-abcd1234"],
  ] as const;
  const expected: Record<string, number[]> = {
    invalid: [401, 401, 400],
    forbidden: [403, 403, 403],
    quota: [429, 429, 429],
    ratelimit: [429, 429, 429],
    "server-error": [500, 500, 500],
    overloaded: [503, 503, 503],
    "model-denied": [404, 404, 404],
  };

  for (const [knob, statuses] of Object.entries(expected)) {
    it(`${knob}: real status per provider, body leaks text and a key fragment`, async () => {
      for (const [i, [provider, path, keyTemplate]] of cases.entries()) {
        const key = keyTemplate.replace("%s", knob);
        const headers = provider === "google" ? { "x-goog-api-key": key } : openaiHeaders(key);
        const body =
          provider === "google" ? JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }) : chatBody();
        const res = await fetch(`${mock.url}${path}`, { method: "POST", headers, body });
        expect(res.status, `${provider} ${knob}`).toBe(statuses[i]);
        const text = await res.text();
        expect(text).toContain(LEAKY_TEXT);
        expect(text).toContain(key.slice(-4));
        if (knob === "ratelimit") expect(res.headers.get("retry-after")).toBe("2");
      }
    });
  }

  it("uses the x-mock-scenario header over the key", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...openaiHeaders("sk-mock-ok-abcd1234"), "x-mock-scenario": "quota" },
      body: chatBody(),
    });
    expect(res.status).toBe(429);
    expect((await res.json()).error.code).toBe("insufficient_quota");
  });

  it("midfail sends some tokens, then the provider's error frame", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-midfail-abcd1234"),
      body: chatBody({ stream: true }),
    });
    const data = sseData(await res.text()).map((d) => JSON.parse(d));
    expect(data.at(-1).error.type).toBe("server_error");
    expect(mock.requests()[0]?.tokensSent).toBe(3);
  });

  it("long-slow streams 8× the frames of slow (for tests that stop an answer mid-stream)", async () => {
    const quick = await startMockUpstream({ tokens: 6, slowTokenDelayMs: 1 });
    try {
      const frames = async (key: string) => {
        const res = await fetch(`${quick.url}/v1/chat/completions`, {
          method: "POST",
          headers: openaiHeaders(key),
          body: chatBody({ stream: true }),
        });
        await res.text();
        return quick.requests().at(-1);
      };
      expect(await frames("sk-mock-slow-abcd1234")).toMatchObject({ scenario: "slow", tokensSent: 6 });
      expect(await frames("sk-mock-LongSlow-abcd1234")).toMatchObject({
        scenario: "long-slow",
        tokensSent: 48,
      });
    } finally {
      await quick.close();
    }
  });

  it("stall holds the response until the client aborts, and logs the abort", async () => {
    const ac = new AbortController();
    const res = await fetch(`${mock.url}/v1/responses`, {
      method: "POST",
      headers: openaiHeaders("sk-mock-stall-abcd1234"),
      body: JSON.stringify({ model: "gpt-5-mini", stream: true, input: "hi" }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    ac.abort();
    await expect(res.text()).rejects.toThrow();
    await expect.poll(() => mock.requests()[0]?.aborted).toBe(true);
    expect(mock.requests()[0]).toMatchObject({ scenario: "stall", tokensSent: 0, keyLast4: "1234" });
  });

  it("a missing key is refused like the provider does", async () => {
    const res = await fetch(`${mock.url}/v1/models`);
    expect(res.status).toBe(401);
    const google = await fetch(`${mock.url}/v1beta/models`);
    expect(google.status).toBe(403);
  });

  it("reset clears the log, over HTTP too", async () => {
    await fetch(`${mock.url}/v1/models`, { headers: openaiHeaders("sk-mock-ok-abcd1234") });
    expect((await (await fetch(`${mock.url}/__mock/requests`)).json()).requests).toHaveLength(1);
    expect((await fetch(`${mock.url}/__mock/reset`, { method: "POST" })).status).toBe(204);
    expect(mock.requests()).toEqual([]);
  });
});
