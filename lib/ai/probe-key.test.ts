import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { MockUpstream } from "@/test/harness";
import { PROVIDER_CASES, type ProviderCase, startMockForProviders } from "@/test/providers";
import { type KeyTestInput, type KeyTestResult, probeProviderKey } from "./probe-key";

vi.mock("server-only", () => ({}));

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockForProviders({ slowTokenDelayMs: 150 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const CASES = PROVIDER_CASES.filter((c) => c.openaiApi !== "chat");
const input = (c: ProviderCase, knob: string, extra: Partial<KeyTestInput> = {}): KeyTestInput => ({
  provider: c.provider,
  apiKey: c.key(knob),
  baseUrl: c.baseUrl?.(mock),
  modelId: c.provider === "compatible" ? c.modelId : undefined,
  ...extra,
});

const EXPECTED: [knob: string, result: KeyTestResult][] = [
  ["ok", "valid"],
  ["invalid", "invalid_key"],
  ["forbidden", "invalid_key"],
  ["quota", "no_credit"],
  ["ratelimit", "rate_limited"],
  ["server-error", "unreachable"],
  ["model-denied", "model_not_allowed"],
  ["midfail", "valid"],
];

describe.each(CASES)("probeProviderKey: $name", (c) => {
  it.each(EXPECTED)("%s → %s", async (knob, expected) => {
    const out = await probeProviderKey(input(c, knob));
    expect(out.result).toBe(expected);
    expect(out.ms).toBeGreaterThanOrEqual(0);
    if (expected === "rate_limited") expect(out.retryAfter).toBe(2);
  });

  it("needs the generation to see a missing credit: the models list alone passes", async () => {
    await probeProviderKey(input(c, "quota"));
    expect(mock.requests().map((r) => [r.kind, r.status])).toEqual([
      ["models", 200],
      ["generate", 429],
    ]);
  });

  it("stops the probe after the first token", async () => {
    expect((await probeProviderKey(input(c, "slow"))).result).toBe("valid");
    const probe = mock.requests().find((r) => r.kind === "generate");
    await expect.poll(() => mock.requests().find((r) => r.id === probe?.id)?.aborted).toBe(true);
    expect(mock.requests().find((r) => r.id === probe?.id)?.tokensSent).toBeLessThan(8);
  });

  it("a stalled upstream is unreachable after the timeout, and the request is dropped", async () => {
    const out = await probeProviderKey(input(c, "stall", { timeoutMs: 300 }));
    expect(out.result).toBe("unreachable");
    await expect.poll(() => mock.requests()[0]?.aborted).toBe(true);
  });
});

describe("probeProviderKey edge cases", () => {
  const compatible = PROVIDER_CASES.find((c) => c.provider === "compatible") as ProviderCase;

  it("compatible without a model id can only check the models list", async () => {
    const out = await probeProviderKey(input(compatible, "ok", { modelId: undefined }));
    expect(out.result).toBe("valid");
    expect(mock.requests().map((r) => r.kind)).toEqual(["models"]);
  });

  it("the caller can cancel", async () => {
    const ac = new AbortController();
    const pending = probeProviderKey(
      input(PROVIDER_CASES[0] as ProviderCase, "stall", { signal: ac.signal }),
    );
    await expect.poll(() => mock.requests()[0]?.status).toBe(200);
    ac.abort();
    expect((await pending).result).toBe("unreachable");
    await expect.poll(() => mock.requests()[0]?.aborted).toBe(true);
  });

  it("a closed port is unreachable", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const out = await probeProviderKey(input(compatible, "ok", { baseUrl: `http://127.0.0.1:${port}/v1` }));
    expect(out.result).toBe("unreachable");
  });

  it("a 200 that is not a model list means a wrong base URL", async () => {
    const out = await probeProviderKey(input(compatible, "ok", { baseUrl: `${mock.url}/__mock/health?x=` }));
    expect(out.result).toBe("unreachable");
  });

  it("an empty key is invalid without any request", async () => {
    expect((await probeProviderKey({ provider: "groq", apiKey: "  " })).result).toBe("invalid_key");
    expect(mock.requests()).toEqual([]);
  });
});
