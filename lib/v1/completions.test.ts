import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import { createApiToken, type TokenCaller, verifyApiToken } from "@/lib/api-tokens/tokens";
import { AppError } from "@/lib/errors";
import { setLimits } from "@/lib/keys/limits";
import { endpointModels } from "@/lib/keys/models";
import {
  loadKeyRows,
  markKeyInvalid,
  nextPersonalKey,
  resolveKey,
  touchKeyUsed,
  usableProviders,
} from "@/lib/keys/resolve";
import { addKey, saveKey } from "@/lib/keys/save";
import { failure } from "@/test/errors";
import { type Harness, LEAKY_TEXT, startHarness } from "@/test/harness";
import { startCompletion } from "./completions";
import type { V1Deps } from "./deps";
import { openAiErrorBody, v1Status } from "./http";
import { listV1Models } from "./models";
import { completionRequestSchema } from "./schemas";

vi.mock("server-only", () => ({}));

// /v1 end to end below the route: a real database, the real key vault and provider SDKs talking
// to the mock upstream over HTTP (knob words in the key pick its behaviour), real tokens.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 1 });
});
afterAll(() => h?.close());

function v1(over: Partial<V1Deps> = {}): V1Deps {
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
    ...over,
  };
}

const never = () => new AbortController().signal;

async function callerWith(
  keys: Partial<Record<"openai" | "groq" | "google", string>>,
  scope: Parameters<typeof createApiToken>[1] = { name: "test" },
): Promise<TokenCaller> {
  const userId = await h.newUser();
  for (const [p, k] of Object.entries(keys))
    await saveKey(userId, p as "groq", { apiKey: k }, undefined, h.deps);
  const { token } = await createApiToken(userId, scope, undefined, { db: h.handle.prisma });
  return verifyApiToken(`Bearer ${token}`, { db: h.handle.prisma });
}

const body = (over: Record<string, unknown> = {}) =>
  completionRequestSchema.parse({
    model: "groq/llama-3.3-70b-versatile",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Hello from a script" }] },
    ],
    ...over,
  });

/** The SSE body's data lines, parsed; "[DONE]" kept as a string. */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6))
    .map((d) => (d === "[DONE]" ? d : JSON.parse(d)));
}

type Chunk = { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown };

describe("POST /v1/chat/completions", () => {
  it("streams chat.completion.chunk events from the user's key, ending with usage and [DONE]", async () => {
    const caller = await callerWith({ groq: "gsk_v1StreamKey000001" });
    const turn = await startCompletion(
      caller,
      body({ stream: true, stream_options: { include_usage: true } }),
      never(),
      undefined,
      v1(),
    );
    expect(turn.response.headers.get("content-type")).toContain("text/event-stream");
    const ev = await events(turn.response);
    await turn.done;
    expect(ev.at(-1)).toBe("[DONE]");
    const chunks = ev.slice(0, -1) as Chunk[];
    expect(chunks[0]).toMatchObject({
      object: "chat.completion.chunk",
      model: "groq/llama-3.3-70b-versatile",
    });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toContain("Echo (turn 1): Hello from a script");
    const last = chunks.at(-2);
    expect(last?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });

    // Usage and audit like a chat turn, but no chat.
    const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId: caller.userId } });
    expect(usage).toEqual([
      expect.objectContaining({
        provider: "groq",
        model: "llama-3.3-70b-versatile",
        keySource: "personal",
        messageId: null,
      }),
    ]);
    expect(usage[0]?.outputTokens).toBeGreaterThan(0);
    expect(await h.handle.prisma.chat.count({ where: { userId: caller.userId } })).toBe(0);
    const audit = await h.handle.prisma.auditEvent.findMany({
      where: { userId: caller.userId, action: "api.completion" },
    });
    expect(audit).toEqual([expect.objectContaining({ provider: "groq", last4: caller.last4 })]);
    expect(audit[0]?.detail).toMatchObject({ token: "test", status: "complete", stream: true });
    const key = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: caller.userId } });
    await vi.waitFor(async () =>
      expect(
        (await h.handle.prisma.providerKey.findFirstOrThrow({ where: { id: key.id } })).lastUsedAt,
      ).not.toBeNull(),
    );
  });

  it("answers one chat.completion without stream (OpenAI's Responses API underneath)", async () => {
    const caller = await callerWith({ openai: "sk-proj-v1JsonKey000002" });
    const turn = await startCompletion(
      caller,
      body({ model: "openai/gpt-5-mini", max_tokens: 200 }),
      never(),
      undefined,
      v1(),
    );
    const json = (await turn.response.json()) as {
      object: string;
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { total_tokens: number };
    };
    expect(json.object).toBe("chat.completion");
    expect(json.choices[0]?.message).toMatchObject({ role: "assistant" });
    expect(json.choices[0]?.message.content).toContain("Hello from a script");
    expect(json.usage.total_tokens).toBeGreaterThan(0);
  });

  it("refuses before any provider call: unknown model 404, read-only 403, out of scope 403, tools 400", async () => {
    // Generation requests only: saving a key also reads its model list (kind "models").
    const generations = () => h.mock.requests().filter((r) => r.kind === "generate").length;
    const before = generations();
    const caller = await callerWith({ groq: "gsk_v1ScopeKey000003" }, { name: "s", providers: ["groq"] });
    expect(
      (
        await failure(
          startCompletion(caller, body({ model: "groq/no-such-model" }), never(), undefined, v1()),
        )
      ).code,
    ).toBe("NOT_FOUND");
    expect(
      (await failure(startCompletion(caller, body({ model: "nope" }), never(), undefined, v1()))).status,
    ).toBe(404);
    expect(
      (await failure(startCompletion(caller, body({ model: "openai/gpt-5" }), never(), undefined, v1())))
        .code,
    ).toBe("FORBIDDEN");
    const ro = await callerWith({ groq: "gsk_v1ReadOnlyKey00004" }, { name: "ro", readOnly: true });
    expect((await failure(startCompletion(ro, body(), never(), undefined, v1()))).code).toBe("FORBIDDEN");
    expect(
      completionRequestSchema.safeParse({
        model: "groq/x",
        messages: [{ role: "user", content: "x" }],
        tools: [{}],
      }).success,
    ).toBe(false);
    expect(completionRequestSchema.safeParse({ model: "groq/x", messages: [] }).success).toBe(false);
    expect(generations()).toBe(before);
  });

  it("a per-token rate limit answers RATE_LIMITED (429) before the key is resolved", async () => {
    const caller = await callerWith({ groq: "gsk_v1RateKey000005" });
    let resolved = 0;
    const limited = v1({
      checkTokenRateLimit: async () => {
        throw new AppError("RATE_LIMITED", "slow down", { retryAfter: 7 });
      },
      resolveKey: async (u, p) => {
        resolved++;
        return resolveKey(u, p, undefined, h.deps);
      },
    });
    const err = await failure(startCompletion(caller, body(), never(), undefined, limited));
    expect([err.code, err.status, err.retryAfter, resolved]).toEqual(["RATE_LIMITED", 429, 7, 0]);
    expect(openAiErrorBody(err)).toEqual({
      error: { message: "slow down", type: "rate_limit_error", code: "RATE_LIMITED", param: null },
    });
  });

  it("a key the provider rejects: 400 (not the token's 401), key marked invalid, no provider text", async () => {
    const caller = await callerWith({ groq: "gsk_v1invalidKey000006" });
    const err = await failure(startCompletion(caller, body(), never(), undefined, v1()));
    expect(err.code).toBe("INVALID_API_KEY");
    expect(v1Status(err)).toBe(400);
    expect(JSON.stringify(openAiErrorBody(err))).not.toContain(LEAKY_TEXT);
    const key = await h.handle.prisma.providerKey.findFirstOrThrow({ where: { userId: caller.userId } });
    expect(key.status).toBe("INVALID");
    const audit = await h.handle.prisma.auditEvent.findFirstOrThrow({
      where: { userId: caller.userId, action: "api.completion" },
    });
    expect(audit.detail).toMatchObject({ status: "error", code: "INVALID_API_KEY" });
  });

  it("several keys: a rate-limited key passes the request to the next one (one answer, usage on that key)", async () => {
    const caller = await callerWith({ groq: "gsk_v1ratelimitKey00009" });
    const spare = await addKey(
      caller.userId,
      "groq",
      { apiKey: "gsk_v1spareKeyAbcd0010", label: "Spare" },
      undefined,
      h.deps,
    );
    const turn = await startCompletion(caller, body(), never(), undefined, v1());
    const json = (await turn.response.json()) as { choices: { message: { content: string } }[] };
    expect(json.choices[0]?.message.content).toContain("Hello from a script");
    const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId: caller.userId } });
    expect(usage.map((u) => [u.keySource, u.keyId])).toEqual([["personal", spare.id]]);
    const failover = await h.handle.prisma.auditEvent.findFirstOrThrow({
      where: { userId: caller.userId, action: "key.failover" },
    });
    expect(failover.detail).toMatchObject({ nextKeyId: spare.id, code: "RATE_LIMITED" });
  });

  it("the user's own spending limit holds for scripts: BUDGET_EXCEEDED (429) before any provider call", async () => {
    const caller = await callerWith({ groq: "gsk_v1limitedKey000011" });
    await setLimits(caller.userId, "groq", { dayTokens: 10 }, undefined, h.handle.prisma);
    const before = h.mock.requests().length;
    const err = await failure(startCompletion(caller, body(), never(), undefined, v1()));
    expect([err.code, err.status]).toEqual(["BUDGET_EXCEEDED", 429]);
    expect(err.message).toMatch(/10 tokens/);
    expect(h.mock.requests().length).toBe(before);
    // Refused before anything was held: with room again the next request runs.
    await setLimits(caller.userId, "groq", { dayTokens: 100_000 }, undefined, h.handle.prisma);
    const ok = await startCompletion(caller, body(), never(), undefined, v1());
    expect(ok.response.status).toBe(200);
    await ok.response.text();
  });

  it("a failure after the first token arrives as an error event in the stream", async () => {
    const caller = await callerWith({ groq: "gsk_v1midfailKey000007" });
    const turn = await startCompletion(caller, body({ stream: true }), never(), undefined, v1());
    const ev = await events(turn.response);
    await turn.done;
    const error = ev.find((e) => typeof e === "object" && e !== null && "error" in e) as {
      error: { code: string };
    };
    expect(error.error.code).toBeTruthy();
    expect(JSON.stringify(ev)).not.toContain(LEAKY_TEXT);
  });

  it("runs on the operator's system key under its rules: the daily budget answers BUDGET_EXCEEDED", async () => {
    h.systemKeys.groq = "gsk_v1SystemKey0000008";
    await h.handle.prisma.instanceSettings.upsert({
      where: { id: 1 },
      create: { id: 1, systemKeyAccess: "all", systemKeyDailyRequests: 1 },
      update: { systemKeyAccess: "all", systemKeyDailyRequests: 1 },
    });
    try {
      const caller = await callerWith({});
      const first = await startCompletion(caller, body(), never(), undefined, v1());
      expect(((await first.response.json()) as { object: string }).object).toBe("chat.completion");
      const usage = await h.handle.prisma.usageEvent.findMany({ where: { userId: caller.userId } });
      expect(usage.map((u) => u.keySource)).toEqual(["system"]);
      const before = h.mock.requests().length;
      const err = await failure(startCompletion(caller, body(), never(), undefined, v1()));
      expect([err.code, err.status]).toEqual(["BUDGET_EXCEEDED", 429]);
      expect(openAiErrorBody(err).error.type).toBe("insufficient_quota");
      expect(h.mock.requests().length).toBe(before);
    } finally {
      delete h.systemKeys.groq;
      await h.handle.prisma.instanceSettings.deleteMany({});
    }
  });
});

describe("GET /v1/models", () => {
  it("lists provider/model for the providers the user has keys for, narrowed to the token's scope", async () => {
    const all = await callerWith({ groq: "gsk_v1ModelsKey000009", openai: "sk-proj-v1ModelsKey0009" });
    const ids = (await listV1Models(all, v1())).data.map((m) => m.id);
    expect(ids).toContain("groq/llama-3.3-70b-versatile");
    expect(ids).toContain("openai/gpt-5-mini");
    expect(ids.some((id) => id.startsWith("google/"))).toBe(false);

    const userId = all.userId;
    const { token } = await createApiToken(
      userId,
      { name: "narrow", readOnly: true, models: ["groq/llama-3.1-8b-instant"] },
      undefined,
      { db: h.handle.prisma },
    );
    const narrow = await verifyApiToken(`Bearer ${token}`, { db: h.handle.prisma });
    const list = await listV1Models(narrow, v1());
    expect(list).toEqual({
      object: "list",
      data: [{ id: "groq/llama-3.1-8b-instant", object: "model", created: 0, owned_by: "groq" }],
    });
  });
});

describe("named OpenAI-compatible endpoints on /v1", () => {
  async function twoEndpoints() {
    const caller = await callerWith({});
    await saveKey(
      caller.userId,
      "compatible",
      { apiKey: "v1AlphaEndpointKey0201", baseUrl: h.mock.baseUrls.compatible, label: "Alpha" },
      undefined,
      h.deps,
    );
    await addKey(
      caller.userId,
      "compatible",
      { apiKey: "v1BetaEndpointKey0202", baseUrl: `${h.mock.url}/second/v1`, label: "Beta Box" },
      undefined,
      h.deps,
    );
    return caller;
  }
  const generationsUnder = (prefix: string) =>
    h.mock.requests().filter((r) => r.kind === "generate" && r.path.startsWith(prefix));
  const deps = () => v1({ endpointModels: (u) => endpointModels(u, h.deps) });

  it("compatible:<name>/<model> runs on that endpoint; compatible/<model> on the first; an unknown name is 404", async () => {
    const caller = await twoEndpoints();
    h.mock.reset();
    const named = await startCompletion(
      caller,
      body({ model: "compatible:Beta Box/mock-model" }),
      never(),
      undefined,
      deps(),
    );
    const json = (await named.response.json()) as {
      model: string;
      choices: { message: { content: string } }[];
    };
    expect(json.model).toBe("compatible:Beta Box/mock-model");
    expect(json.choices[0]?.message.content).toContain("Hello from a script");
    expect(generationsUnder("/second/")).toHaveLength(1);
    expect(generationsUnder("/compat/")).toHaveLength(0);

    const first = await startCompletion(
      caller,
      body({ model: "compatible/mock-model" }),
      never(),
      undefined,
      deps(),
    );
    await first.response.text();
    expect(generationsUnder("/compat/")).toHaveLength(1);

    const other = await twoEndpoints();
    for (const model of ["compatible:Gamma/mock-model", "compatible:/mock-model", "compatible:Beta Box/"]) {
      expect((await failure(startCompletion(caller, body({ model }), never(), undefined, deps()))).code).toBe(
        "NOT_FOUND",
      );
    }
    // Names are per user: another user's "Beta Box" is theirs, this one's is this one's.
    h.mock.reset();
    const theirs = await startCompletion(
      other,
      body({ model: "compatible:beta box/mock-model" }),
      never(),
      undefined,
      deps(),
    );
    await theirs.response.text();
    expect(generationsUnder("/second/").map((r) => r.keyLast4)).toEqual(["0202"]);
  });

  it("GET /v1/models lists compatible:<name>/<model> for every endpoint with a model list", async () => {
    const caller = await twoEndpoints();
    const ids = (await listV1Models(caller, deps())).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "compatible:Alpha/mock-model",
        "compatible:Beta Box/mock-model",
        "compatible:Beta Box/mock-model-large",
      ]),
    );
  });
});
