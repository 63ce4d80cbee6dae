import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { saveKey } from "@/lib/keys/save";
import { clientId, readAll } from "@/test/chat-stream";
import { type Harness, startHarness } from "@/test/harness";
import { chatExportQuerySchema, exportChat, exportFilename, loadChatExport } from "./export";
import { renameChat } from "./history";
import { startTurn } from "./turn";

vi.mock("server-only", () => ({}));

// Export of one chat, on a real database with turns through the mock upstream: both formats
// carry every message with the answer's model, key source and usage, and another user's chat
// is NOT_FOUND like a missing one.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
const NOW = new Date("2026-11-27T08:00:00.000Z");

async function chatWith(userId: string, texts: string[]) {
  const chatId = clientId("c");
  for (const text of texts) {
    const handle = await startTurn(
      { userId, chatId, message: { id: clientId(), text }, provider: "openai", model: "gpt-4o-mini" },
      never(),
      h.turnDeps(),
    );
    await readAll(handle.stream);
    await handle.done;
  }
  return chatId;
}

async function userWithKey() {
  const userId = await h.newUser();
  await saveKey(userId, "openai", { apiKey: "sk-proj-exportTestKey0000" }, undefined, h.deps);
  return userId;
}

describe("chat export", () => {
  it("JSON lists every turn in order with model, key source and token usage per answer", async () => {
    const userId = await userWithKey();
    const chatId = await chatWith(userId, ["First question about owls", "Second about herons"]);
    const file = await exportChat(userId, chatId, "json", { now: NOW, client: h.handle.prisma });
    expect(file.contentType).toMatch(/^application\/json/);
    const doc = JSON.parse(file.body);
    expect(doc).toMatchObject({ kind: "byok-chat-conversation", version: 1, exportedAt: NOW.toISOString() });
    expect(doc.chat.id).toBe(chatId);
    expect(doc.messages.map((m: { role: string }) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(doc.messages[0].text).toBe("First question about owls");
    expect(doc.messages[3].text).toContain("Echo (turn 2): Second about herons");
    for (const answer of [doc.messages[1], doc.messages[3]]) {
      expect(answer).toMatchObject({
        provider: "openai",
        model: "gpt-4o-mini",
        keySource: "personal",
        keyLabel: "…0000", // which of the user's keys answered, never more of it
      });
      expect(answer.status).toBe("COMPLETE");
      expect(answer.usage.inputTokens).toBeGreaterThan(0);
      expect(answer.usage.outputTokens).toBeGreaterThan(0);
    }
    // Key material never travels with a chat.
    expect(file.body).not.toContain("sk-proj-exportTestKey0000");
  });

  it("Markdown has the title, each turn and the answer's details line", async () => {
    const userId = await userWithKey();
    const chatId = await chatWith(userId, ["Tell me about `code` and *stars*"]);
    await renameChat(userId, chatId, "Stars / code: notes", h.handle.prisma);
    const file = await exportChat(userId, chatId, "md", { now: NOW, client: h.handle.prisma });
    expect(file.contentType).toMatch(/^text\/markdown/);
    expect(file.filename).toBe("stars-code-notes-2026-11-27.md");
    const md = file.body;
    expect(md.startsWith("# Stars / code: notes\n")).toBe(true);
    expect(md).toContain("## You\n\nTell me about `code` and *stars*\n");
    expect(md).toMatch(
      /## Assistant\n\n_openai · gpt-4o-mini · personal key …0000 · \d+ in · \d+ out tokens_\n\nEcho \(turn 1\)/,
    );
  });

  it("another user's chat and a missing chat are both NOT_FOUND", async () => {
    const owner = await userWithKey();
    const other = await h.newUser();
    const chatId = await chatWith(owner, ["Private thoughts"]);
    for (const [userId, id] of [
      [other, chatId],
      [owner, "no-such-chat-id"],
    ] as const) {
      const err = await loadChatExport(userId, id, NOW, h.handle.prisma).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("NOT_FOUND");
    }
  });

  it("the format is md or json, md by default; a file name never carries header-breaking text", () => {
    expect(chatExportQuerySchema.parse({})).toEqual({ format: "md" });
    expect(chatExportQuerySchema.safeParse({ format: "pdf" }).success).toBe(false);
    expect(chatExportQuerySchema.safeParse({ format: "md", extra: "1" }).success).toBe(false);
    const doc = {
      exportedAt: NOW.toISOString(),
      chat: { title: 'a"b\r\nSet-Cookie: x=1; é' },
    } as Parameters<typeof exportFilename>[0];
    expect(exportFilename(doc, "json")).toBe("ab-set-cookie-x1-e-2026-11-27.json");
    expect(exportFilename({ ...doc, chat: { ...doc.chat, title: "!!!" } }, "md")).toBe("chat-2026-11-27.md");
  });
});
