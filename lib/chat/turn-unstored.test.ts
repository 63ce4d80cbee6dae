import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { saveKey } from "@/lib/keys/save";
import { clientId } from "@/test/chat-stream";
import { type Harness, startHarness } from "@/test/harness";
import { startTurn } from "./turn";

vi.mock("server-only", () => ({}));

// "A reply is never streamed that is not stored": when the user's message cannot be written,
// the turn ends with an error before any token and the upstream request is dropped. The route
// refuses NUL already (lib/text.ts); here startTurn is called directly with text the database
// refuses, the case that used to stream a whole paid reply and store 0 rows.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe("a user message the database refuses", () => {
  it("ends the turn with an error before the first token, stores nothing, never calls the provider", async () => {
    const userId = await h.newUser();
    await saveKey(userId, "openai", { apiKey: "sk-proj-slow-unstoredKey00031" }, undefined, h.deps);
    const chatId = clientId("c");
    const pending = startTurn(
      {
        userId,
        chatId,
        message: { id: clientId(), text: "hello\u0000world" },
        provider: "openai",
        model: "gpt-5-mini",
      },
      new AbortController().signal,
      h.turnDeps({ autoTitle: false }),
    );
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    // The turn claims its answer id by storing the user message before the provider call
    // (lib/chat/turn.ts): a refused write ends the turn there, before any token or request.
    expect(err, "startTurn must refuse instead of returning a stream").toBeDefined();
    expect(await h.handle.prisma.message.count({ where: { chatId } })).toBe(0);
    expect(await h.handle.prisma.chat.count({ where: { id: chatId } })).toBe(0);
    // The key's model list (fetched when it is saved) is not a provider call for this turn.
    expect(h.mock.requests().filter((r) => r.keyLast4 === "0031" && r.kind !== "models")).toEqual([]);
  });
});
