import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTurn } from "@/lib/chat/turn";
import { clientId, readAll } from "@/test/chat-stream";
import { type Harness, startHarness } from "@/test/harness";
import { checkBaseUrl } from "./base-url";
import { listKeys } from "./manage";
import { getKeyModels } from "./models";
import { testKey } from "./probe";
import { saveKey } from "./save";
import { saveKeySchema, testKeySchema } from "./schemas";

vi.mock("server-only", () => ({}));

// An OpenAI-compatible endpoint that takes no key (a local Ollama, LM Studio or vLLM): saved,
// listed, tested and chatted with, and never sent an Authorization header. The mock upstream
// under /keyless/… answers requests without a key; under /compat/… it refuses them.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const keylessRequests = () => h.mock.requests().filter((r) => r.path.startsWith("/keyless/"));

describe("keyless OpenAI-compatible endpoints", () => {
  it("saves without a key, lists its models, tests and chats, never sending an Authorization header", async () => {
    const userId = await h.newUser();
    h.mock.reset();
    const dto = await saveKey(
      userId,
      "compatible",
      { baseUrl: h.mock.baseUrls.keyless, label: "My Ollama" },
      undefined,
      h.deps,
    );
    expect(dto).toMatchObject({ hasKey: true, keyless: true, preview: "No key", chatSource: "personal" });
    expect((await getKeyModels(userId, "compatible", h.deps)).models.map((m) => m.id)).toEqual([
      "mock-model",
      "mock-model-large",
    ]);

    const test = await testKey(userId, "compatible", {}, undefined, h.deps);
    expect(test.result).toBe("valid");

    const handle = await startTurn(
      {
        userId,
        chatId: clientId("c"),
        message: { id: clientId(), text: "Hello local model" },
        provider: "compatible",
        model: "mock-model",
      },
      new AbortController().signal,
      h.turnDeps(),
    );
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");

    const seen = keylessRequests();
    expect(seen.map((r) => r.kind)).toEqual(expect.arrayContaining(["models", "generate"]));
    expect(seen.every((r) => r.authorization === false)).toBe(true);
    expect((await listKeys(userId, h.deps)).find((k) => k.provider === "compatible")?.preview).toBe("No key");
  });

  it("tests a typed keyless URL without a key; a key is still required for the other providers", async () => {
    const userId = await h.newUser();
    const typed = await testKey(
      userId,
      "compatible",
      { keyless: true, baseUrl: h.mock.baseUrls.keyless },
      undefined,
      h.deps,
    );
    expect(typed).toMatchObject({ result: "valid", tested: "supplied" });
    // The same endpoint that wants a key (/compat/…) says so.
    const refused = await testKey(
      userId,
      "compatible",
      { keyless: true, baseUrl: h.mock.baseUrls.compatible },
      undefined,
      h.deps,
    );
    expect(refused.result).toBe("invalid_key");
    await expect(saveKey(userId, "openai", {}, undefined, h.deps)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: "apiKey", message: "Enter an API key." }],
    });
  });

  it("the schemas: keyless never comes with a key; a typed URL still needs a typed key or keyless", () => {
    expect(saveKeySchema.safeParse({ baseUrl: "https://x.example/v1" }).success).toBe(true);
    expect(testKeySchema.safeParse({ keyless: true, baseUrl: "https://x.example/v1" }).success).toBe(true);
    expect(testKeySchema.safeParse({ keyless: true, apiKey: "k-1234567890" }).success).toBe(false);
    // The stored key is never sent to a newly typed URL.
    expect(testKeySchema.safeParse({ baseUrl: "https://x.example/v1" }).success).toBe(false);
  });

  it("a private address names the operator's setting when refused", async () => {
    await expect(checkBaseUrl("http://192.168.1.20:11434/v1", { allowPrivate: false })).rejects.toThrow(
      /ALLOW_PRIVATE_BASE_URLS=true/,
    );
  });
});
