import type { ParseResult } from "@ai-sdk/provider-utils";
import {
  createUIMessageStreamResponse,
  type ModelMessage,
  parseJsonEventStream,
  streamText,
  toUIMessageStream,
  UI_MESSAGE_STREAM_HEADERS,
  type UIMessageChunk,
  uiMessageChunkSchema,
} from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { type CreateModelInput, createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import { type MockUpstream, startMockUpstream } from "@/test/harness";
import { openStream } from "./open-stream";
import type { AssistantStatus, ChatMessageMetadata } from "./types";
import { errorPayload, UI_STREAM_HEADERS, uiStream } from "./ui-stream";

// Our hand-written UI message stream (openStream + the byte writer) against the AI SDK's own
// path as its docs show it today: streamText → toUIMessageStream({ stream: result.stream }) →
// createUIMessageStreamResponse. The same mock turn runs through both — the real provider SDK
// code against the mock upstream speaking each provider's wire format — and both responses are
// read with the SDK's own event-stream parser and UI chunk schema. The chunk sequences must be
// equal, so an AI SDK upgrade that changes the protocol fails here.
//
// Normalised, because we differ on purpose (see ui-stream.ts):
// - block ids are numbered by first appearance: they are the provider's own on both sides, but
//   the mock numbers its response ids per request and each path makes its own request;
// - providerMetadata is dropped from the SDK's chunks: we never send it to the browser;
// - an error chunk is compared by its code: the SDK's text is whatever onError returns (here our
//   own mapping, so the codes must agree), ours also rewrites the wording ("broke off");
// - after an error, finish.messageMetadata is ours alone (status and code; the browser stops
//   reading at the error chunk); on success it must match what the SDK's callback computes
//   from the same finish part (usage, reasoning tokens included).

const TOKENS = 12;
/** buildReasoning's frame count for TOKENS (mock-upstream/handler.mjs). */
const THOUGHTS = Math.ceil(TOKENS / 2);
const USER_TEXT = "compare the two streams";
const EXPECTED_REASONING = `Thinking (turn 1): the user wrote "${USER_TEXT}"; echo it back.`;
const MESSAGE_ID = "assistant-msg-1";

type Case = {
  name: string;
  provider: ProviderId;
  modelId: string;
  openaiApi?: "chat";
  key: (knobs: string) => string;
  /** The provider's wire format shows the reasoning (OpenAI's Chat Completions hides it). */
  showsReasoning: boolean;
};

const CASES: Case[] = [
  {
    name: "openai (Responses)",
    provider: "openai",
    modelId: "gpt-5-mini",
    key: (k) => `sk-mock-${k}-0000diff`,
    showsReasoning: true,
  },
  {
    name: "openai (Chat Completions)",
    provider: "openai",
    modelId: "gpt-4.1-mini",
    openaiApi: "chat",
    key: (k) => `sk-proj-mock-${k}-0000diff`,
    showsReasoning: false,
  },
  {
    name: "groq",
    provider: "groq",
    modelId: "openai/gpt-oss-20b",
    key: (k) => `gsk_mock_${k}_0000diff`,
    showsReasoning: true,
  },
  {
    name: "google",
    provider: "google",
    modelId: "gemini-2.5-flash",
    key: (k) => `AIza-mock-${k}-0000diff`,
    showsReasoning: true,
  },
  {
    name: "compatible",
    provider: "compatible",
    modelId: "mock-model",
    key: (k) => `local-mock-${k}-0000diff`,
    showsReasoning: false,
  },
];

const SCENARIOS = [
  { name: "text only", knobs: "ok", reasoning: false, error: false },
  { name: "reasoning + text", knobs: "reasoning", reasoning: true, error: false },
  { name: "mid-stream provider error", knobs: "midfail", reasoning: false, error: true },
  { name: "reasoning, then a mid-stream error", knobs: "reasoning-midfail", reasoning: true, error: true },
] as const;

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ tokens: TOKENS });
  // lib/ai reads the providers' hosts from the environment (parsed once per process).
  process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
  process.env.GROQ_BASE_URL = mock.baseUrls.groq;
  process.env.GOOGLE_GENERATIVE_AI_BASE_URL = mock.baseUrls.google;
  (globalThis as { __byokEnv?: unknown }).__byokEnv = undefined;
});
afterAll(() => mock.close());

const META: ChatMessageMetadata = {
  provider: "mock",
  model: "mock",
  keySource: "personal",
  createdAt: "2026-01-01T00:00:00.000Z",
};
const messages: ModelMessage[] = [{ role: "user", content: USER_TEXT }];

function modelFor(c: Case, key: string) {
  const input: CreateModelInput = { provider: c.provider, modelId: c.modelId, apiKey: key };
  if (c.openaiApi) input.openaiApi = c.openaiApi;
  if (c.provider === "compatible") input.baseUrl = mock.baseUrls.compatible;
  return createLanguageModel(input);
}

/** Reads a UI message stream response the way `useChat` does; a chunk it would reject fails. */
async function readChunks(res: Response): Promise<UIMessageChunk[]> {
  const out: UIMessageChunk[] = [];
  const parsed = parseJsonEventStream({
    stream: res.body as ReadableStream<Uint8Array>,
    schema: uiMessageChunkSchema,
  });
  for await (const r of parsed as unknown as AsyncIterable<ParseResult<UIMessageChunk>>) {
    if (!r.success) throw r.error;
    out.push(r.value);
  }
  return out;
}

/** The SDK's own path, as its chatbot docs write the route today. */
type CallParams = { system?: string; temperature?: number; maxOutputTokens?: number };

async function viaSdk(c: Case, key: string, params: CallParams = {}): Promise<UIMessageChunk[]> {
  const result = streamText({
    model: modelFor(c, key),
    messages,
    ...params,
    maxRetries: 0,
    onError: () => undefined, // the default logs the provider error to the console
  });
  const res = createUIMessageStreamResponse({
    stream: toUIMessageStream({
      stream: result.stream,
      sendReasoning: true,
      generateMessageId: () => MESSAGE_ID,
      messageMetadata: ({ part }): ChatMessageMetadata | undefined => {
        if (part.type === "start") return META;
        if (part.type !== "finish") return undefined;
        const reasoningTokens = part.totalUsage.outputTokenDetails.reasoningTokens;
        const usage = {
          inputTokens: part.totalUsage.inputTokens ?? 0,
          outputTokens: part.totalUsage.outputTokens ?? 0,
          ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
        };
        return { usage, status: "COMPLETE" };
      },
      onError: (error) => JSON.stringify(errorPayload(toAppError(error, c.provider))),
    }),
  });
  return readChunks(res);
}

type Finalized = {
  status: AssistantStatus;
  text: string;
  code?: string;
  usage?: { inputTokens: number; outputTokens: number; reasoningTokens?: number };
  reasoning?: string;
};

/** Ours: openStream + the byte writer, as the chat route serves it. */
async function viaOurs(
  c: Case,
  key: string,
  params: CallParams = {},
): Promise<{ chunks: UIMessageChunk[]; finalized: Finalized[] }> {
  const finalized: Finalized[] = [];
  const opened = await openStream({
    model: modelFor(c, key),
    messages,
    ...params,
    provider: c.provider,
    signal: new AbortController().signal,
    mapError: toAppError,
    isRetryable,
  });
  const stream = uiStream(opened, {
    assistantMessageId: MESSAGE_ID,
    meta: META,
    mapError: toAppError,
    provider: c.provider,
    finalize: async (status, text, code, usage, reasoning) => {
      finalized.push({ status, text, code, usage, reasoning });
    },
  });
  const chunks = await readChunks(new Response(stream, { headers: UI_STREAM_HEADERS }));
  return { chunks, finalized };
}

function normalise(chunks: UIMessageChunk[]): unknown[] {
  const ids = new Map<string, string>();
  const idOf = (id: string) => {
    if (!ids.has(id)) ids.set(id, `block${ids.size}`);
    return ids.get(id);
  };
  const failed = chunks.some((c) => c.type === "error");
  return chunks.map((chunk) => {
    const c = { ...chunk } as Record<string, unknown>;
    delete c.providerMetadata;
    if (typeof c.id === "string") c.id = idOf(c.id);
    if (c.type === "error") return { type: "error", code: JSON.parse(String(c.errorText)).code };
    if (c.type === "finish" && failed) delete c.messageMetadata;
    return c;
  });
}

const joined = (chunks: UIMessageChunk[], type: "text-delta" | "reasoning-delta") =>
  chunks.map((c) => (c.type === type ? c.delta : "")).join("");

describe("our UI message stream = the SDK's streamText → toUIMessageStream", () => {
  for (const c of CASES) {
    for (const s of SCENARIOS) {
      it(`${c.name}: ${s.name}`, async () => {
        const key = c.key(s.knobs);
        const sdk = await viaSdk(c, key);
        const ours = await viaOurs(c, key);

        expect(normalise(ours.chunks)).toEqual(normalise(sdk));

        // What the comparison is about, said outright (a broken mock or SDK fails here too).
        const types = ours.chunks.map((ch) => ch.type);
        expect(types.slice(0, 2)).toEqual(["start", "start-step"]);
        expect(ours.chunks[0]).toEqual({ type: "start", messageId: MESSAGE_ID, messageMetadata: META });
        expect(types.slice(-2)).toEqual(["finish-step", "finish"]);
        const text = joined(ours.chunks, "text-delta");
        expect(text).toMatch(/^Echo \(turn 1\):/);
        const reasoning = joined(ours.chunks, "reasoning-delta");
        const shown = s.reasoning && c.showsReasoning;
        expect(reasoning).toBe(shown ? EXPECTED_REASONING : "");
        if (shown) {
          expect(types.indexOf("reasoning-end")).toBeLessThan(types.indexOf("text-start"));
        }

        expect(ours.finalized).toHaveLength(1);
        const done = ours.finalized[0];
        expect(done?.text).toBe(text);
        expect(done?.reasoning ?? "").toBe(reasoning);
        const finish = ours.chunks.at(-1);
        if (s.error) {
          expect(types).toContain("error");
          expect(done).toMatchObject({ status: "ERROR", code: "PROVIDER_UNAVAILABLE" });
          expect(finish).toMatchObject({
            finishReason: "error",
            messageMetadata: { status: "ERROR", errorCode: "PROVIDER_UNAVAILABLE" },
          });
        } else {
          expect(types).not.toContain("error");
          expect(text).toMatch(/^Echo \(turn 1\): compare the two streams —.*\.$/);
          // Output tokens count the reasoning tokens (the mock sends one token per frame), also
          // where they are reported apart (Gemini's thoughtsTokenCount) or never shown.
          const outputTokens = TOKENS + (s.reasoning ? THOUGHTS : 0);
          expect(done).toMatchObject({ status: "COMPLETE", usage: { outputTokens } });
          // The reasoning share of them, as each provider reports it (Gemini only when it thought).
          const reasoningTokens = done?.usage?.reasoningTokens ?? 0;
          expect(reasoningTokens).toBe(s.reasoning ? THOUGHTS : 0);
          expect(finish).toMatchObject({ finishReason: "stop", messageMetadata: { usage: done?.usage } });
        }
      });
    }
  }
});

describe("instructions and parameters reach the provider as streamText sends them", () => {
  const params: CallParams = { system: "Answer like a pirate.", temperature: 0.4, maxOutputTokens: 321 };
  // streamText logs the SDK's warning that gpt-5-mini drops temperature; the bodies say it here.
  beforeAll(() => {
    (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  });
  const bodyOf = (last4: string) =>
    mock
      .requests()
      .filter((r) => r.keyLast4 === last4 && r.kind === "generate")
      .at(-1)?.body;

  for (const c of CASES) {
    it(`${c.name}: the same request body`, async () => {
      const key = c.key("ok").replace("0000diff", "0000parm");
      await viaSdk(c, key, params);
      const sdkBody = bodyOf("parm");
      await viaOurs(c, key, params);
      const ourBody = bodyOf("parm");
      expect(ourBody).toEqual(sdkBody);
      // And they are there (a mock that dropped bodies would make both empty).
      const text = JSON.stringify(ourBody);
      expect(text).toContain("Answer like a pirate.");
      expect(text).toContain("321");
    });
  }
});

describe("where we deliberately differ", () => {
  it("a connection cut mid-answer: the SDK breaks the response, ours ends it with our error chunk", async () => {
    const c = CASES[0] as Case;
    const key = c.key("midcut");
    await expect(viaSdk(c, key)).rejects.toThrow();
    const ours = await viaOurs(c, key);
    const last = ours.chunks.at(-1);
    expect(last?.type).toBe("error");
    expect(JSON.parse((last as { errorText: string }).errorText)).toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      message: "The provider failed in the middle of the answer. Try again.",
    });
    expect(ours.finalized).toMatchObject([{ status: "ERROR", code: "PROVIDER_UNAVAILABLE" }]);
  });
});

describe("response headers", () => {
  it("are the SDK's UI message stream headers, plus no-transform in Cache-Control", async () => {
    const sdk = createUIMessageStreamResponse({
      stream: new ReadableStream({ start: (ctl) => ctl.close() }),
    });
    const ours = new Headers(UI_STREAM_HEADERS);
    const names = new Set([...sdk.headers.keys(), ...ours.keys()]);
    for (const name of names) {
      if (name === "cache-control") continue;
      expect(ours.get(name), name).toBe(sdk.headers.get(name));
    }
    expect(ours.get("x-vercel-ai-ui-message-stream")).toBe(
      UI_MESSAGE_STREAM_HEADERS["x-vercel-ai-ui-message-stream"],
    );
    const directives = (ours.get("cache-control") ?? "").split(",").map((d) => d.trim());
    expect(directives).toEqual([
      ...(sdk.headers.get("cache-control") ?? "").split(",").map((d) => d.trim()),
      "no-transform",
    ]);
  });
});
