import { createServer } from "node:net";
import { streamText } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { MockUpstream } from "@/test/harness";
import { PROVIDER_CASES, type ProviderCase, startMockForProviders } from "@/test/providers";
import { toAppError } from "./errors";
import { createLanguageModel } from "./model";
import { probeProviderKey } from "./probe-key";
import { actionFor, type Verdict } from "./verdict";

vi.mock("server-only", () => ({}));

// The same provider answer, met by the key Test and by a chat turn, must read the same: same
// code, same words, same button. Both paths run the real provider SDKs against the mock
// upstream's real wire formats; only the consumer differs.

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockForProviders({ stallMs: 20_000 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

// The Test probes with the Responses API for OpenAI, as chat does by default.
const CASES = PROVIDER_CASES.filter((c) => c.openaiApi !== "chat");
const KNOBS = ["invalid", "forbidden", "quota", "ratelimit", "server-error", "overloaded", "model-denied"];

type Seen = Pick<Verdict, "code" | "message" | "action">;

async function viaTest(
  c: ProviderCase,
  knob: string,
  baseUrl = c.baseUrl?.(mock),
  timeoutMs?: number,
): Promise<Seen> {
  const out = await probeProviderKey({
    provider: c.provider,
    apiKey: c.key(knob),
    ...(baseUrl ? { baseUrl } : {}),
    modelId: c.modelId,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  expect(out.result, "the test must fail").not.toBe("valid");
  const v = out.verdict as Verdict;
  return { code: v.code, message: v.message, action: v.action };
}

async function viaChat(
  c: ProviderCase,
  knob: string,
  baseUrl = c.baseUrl?.(mock),
  timeoutMs?: number,
): Promise<Seen> {
  const result = streamText({
    model: createLanguageModel({ provider: c.provider, apiKey: c.key(knob), modelId: c.modelId, baseUrl }),
    prompt: "hello",
    maxRetries: 0,
    onError: () => {},
    ...(timeoutMs ? { abortSignal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  let failure: unknown;
  try {
    for await (const part of result.fullStream) {
      if (part.type === "error") failure = part.error;
      if (part.type === "abort") failure = new DOMException("timed out", "TimeoutError");
    }
  } catch (e) {
    failure = e;
  }
  expect(failure, "the turn must fail").toBeDefined();
  const err = toAppError(failure, c.provider);
  // The chat banner picks its button from the code, the model picker from the field issue.
  const action = err.issues?.some((i) => i.path === "model") ? "choose_model" : actionFor(err.code);
  return { code: err.code, message: err.message, action };
}

describe.each(CASES)("Test and chat read $name's answers alike", (c) => {
  it.each(KNOBS)("%s", async (knob) => {
    const test = await viaTest(c, knob);
    const chat = await viaChat(c, knob);
    expect(test).toEqual(chat);
  });
});

describe("the causes keep their own words", () => {
  const openai = CASES[0] as ProviderCase;
  const compatible = CASES.find((c) => c.provider === "compatible") as ProviderCase;

  it("a 403 region refusal is not called an invalid key to replace", async () => {
    const seen = await viaTest(openai, "forbidden");
    expect(seen.message).toMatch(/region/);
    expect(seen.message).not.toMatch(/rejected this API key/);
  });

  it("an HTTP 500 or 503 says the provider answered, not that it is unreachable", async () => {
    for (const knob of ["server-error", "overloaded"]) {
      const seen = await viaTest(openai, knob);
      expect(seen).toMatchObject({ code: "PROVIDER_UNAVAILABLE", action: "retry" });
      expect(seen.message).toMatch(/answered with a server error \(HTTP 50[03]\)/);
      expect(seen.message).not.toMatch(/reached|address/);
    }
  });

  it("quota and rate limit differ: billing vs retry", async () => {
    expect((await viaTest(openai, "quota")).action).toBe("check_billing");
    expect((await viaTest(openai, "ratelimit")).action).toBe("retry");
  });

  it("a refused connection at a typed base URL: both say to check the address", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const test = await viaTest(compatible, "ok", baseUrl);
    expect(test).toEqual(await viaChat(compatible, "ok", baseUrl));
    expect(test).toMatchObject({ code: "PROVIDER_UNAVAILABLE", action: "retry" });
    expect(test.message).toMatch(/could not be reached.*address/);
  });

  it("a provider that never answers: both say it took too long", async () => {
    const test = await viaTest(openai, "stall", undefined, 300);
    const chat = await viaChat(openai, "stall", undefined, 300);
    expect(test).toEqual(chat);
    expect(test).toMatchObject({ code: "PROVIDER_UNAVAILABLE", action: "retry" });
    expect(test.message).toMatch(/too long/);
  });
});

describe("actionFor: one button per code for the chat banner and the key Test", () => {
  it("names the fix for every code a turn can end with", () => {
    expect(
      Object.fromEntries(
        [
          "API_KEY_REQUIRED",
          "INVALID_API_KEY",
          "KEY_NEEDS_REENTRY",
          "QUOTA_EXCEEDED",
          "RATE_LIMITED",
          "PROVIDER_UNAVAILABLE",
          "INTERNAL",
          "UNAUTHORIZED",
          "TURN_IN_PROGRESS",
          "NOT_FOUND",
          "VALIDATION_FAILED",
        ].map((code) => [code, actionFor(code)]),
      ),
    ).toEqual({
      API_KEY_REQUIRED: "add_key",
      INVALID_API_KEY: "update_key",
      KEY_NEEDS_REENTRY: "reenter_key",
      QUOTA_EXCEEDED: "check_billing",
      RATE_LIMITED: "retry",
      PROVIDER_UNAVAILABLE: "retry",
      INTERNAL: "retry",
      UNAUTHORIZED: "sign_in",
      TURN_IN_PROGRESS: "reload",
      NOT_FOUND: "new_chat",
      VALIDATION_FAILED: "none",
    });
  });

  it("a budget: the user's own limit links its setting, the operator's offers a key of one's own", () => {
    expect(actionFor("BUDGET_EXCEEDED", { setting: "/settings/ai#limits-openai" })).toBe("spending_limits");
    expect(actionFor("BUDGET_EXCEEDED")).toBe("use_own_key");
  });
});
