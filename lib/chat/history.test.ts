import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { saveKey } from "@/lib/keys/save";
import { clientId, readAll } from "@/test/chat-stream";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { deleteChat, listChats, listMessages, renameChat } from "./history";
import { renameSchema } from "./schemas";
import { searchChats } from "./search";
import { startTurn } from "./turn";
import { usageSummary } from "./usage";

vi.mock("server-only", () => ({}));

// History, search and usage on a real database, with chats created by real turns through the
// mock upstream; and the ownership rule: another user's chat behaves like a missing one.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;

async function chatWith(userId: string, texts: string[], chatId = clientId("c")) {
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

async function userWithKey(tag: string) {
  const userId = await h.newUser();
  await saveKey(userId, "openai", { apiKey: `sk-proj-${tag}HistoryKey00` }, undefined, h.deps);
  return userId;
}

describe("search", () => {
  it("finds a chat by a word from the middle of a message, never another user's chat", async () => {
    const alice = await userWithKey("alice");
    const bob = await userWithKey("bob");
    const target = await chatWith(alice, [
      "Groceries: apples, pumpernickel bread and some cheese for Sunday",
    ]);
    await chatWith(alice, ["Something unrelated about the weather"]);
    const bobs = await chatWith(bob, ["Bob also likes pumpernickel"]);

    const hits = await searchChats(alice, "pumpernickel", undefined, h.handle.prisma);
    expect(hits.map((x) => x.id)).toEqual([target]);
    expect(hits[0]?.snippet).toContain("pumpernickel");
    expect((await searchChats(bob, "pumpernickel", undefined, h.handle.prisma)).map((x) => x.id)).toEqual([
      bobs,
    ]);
    expect(await searchChats(alice, "nonexistentword", undefined, h.handle.prisma)).toEqual([]);
    expect(await searchChats(alice, "   ", undefined, h.handle.prisma)).toEqual([]);

    await renameChat(alice, target, "Shopping list", h.handle.prisma);
    expect((await searchChats(alice, "shopping", undefined, h.handle.prisma)).map((x) => x.id)).toEqual([
      target,
    ]);
  });
});

describe("history list and messages", () => {
  it("lists chats newest first, a page at a time", async () => {
    const userId = await userWithKey("pager");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await chatWith(userId, [`chat number ${i}`]));
    const first = await listChats(userId, { limit: 2 }, h.handle.prisma);
    expect(first.chats.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toBeDefined();
    const second = await listChats(userId, { limit: 2, cursor: first.nextCursor }, h.handle.prisma);
    const third = await listChats(userId, { limit: 2, cursor: second.nextCursor }, h.handle.prisma);
    expect([...second.chats, ...third.chats].map((c) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(third.nextCursor).toBeUndefined();

    // A new turn moves the chat to the top.
    await chatWith(userId, ["back to the first one"], ids[0]);
    expect((await listChats(userId, { limit: 1 }, h.handle.prisma)).chats[0]?.id).toBe(ids[0]);
  });

  it("pages messages from the latest backwards, oldest first within a page", async () => {
    const userId = await userWithKey("msgs");
    const chatId = await chatWith(userId, ["m1", "m2", "m3"]);
    const latest = await listMessages(userId, chatId, { limit: 4 }, h.handle.prisma);
    expect(latest.hasMore).toBe(true);
    expect(latest.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(latest.messages[0]?.parts[0]).toEqual({ type: "text", text: "m2" });
    expect(latest.messages[1]?.metadata).toMatchObject({
      model: "gpt-4o-mini",
      keySource: "personal",
      status: "COMPLETE",
    });
    const earlier = await listMessages(
      userId,
      chatId,
      {
        limit: 4,
        before: latest.messages[0]?.id,
      },
      h.handle.prisma,
    );
    expect(earlier.hasMore).toBe(false);
    expect(earlier.messages.map((m) => m.parts[0])).toEqual([
      { type: "text", text: "m1" },
      expect.anything(),
    ]);
  });
});

describe("another user", () => {
  it("sees someone else's chat and message ids exactly as unused ones", async () => {
    const owner = await userWithKey("owner");
    const intruder = await userWithKey("intruder");
    const chatId = await chatWith(owner, ["private thoughts"]);
    const unused = clientId("c");
    const db = h.handle.prisma;

    // Reading, renaming, deleting: the same answer as for an id nobody uses.
    for (const id of [chatId, unused]) {
      expect(await codeOf(listMessages(intruder, id, undefined, db))).toBe("NOT_FOUND");
      expect(await codeOf(renameChat(intruder, id, "mine now", db))).toBe("NOT_FOUND");
      expect(await codeOf(deleteChat(intruder, id, db))).toBe("NOT_FOUND");
    }
    // Posting to it, reusing the owner's message id: the intruder's own new chat, as with an
    // unused id. Ids are unique per user, so the owner's rows are neither touched nor revealed.
    const ownerMsg = (await listMessages(owner, chatId, undefined, db)).messages[0]?.id as string;
    for (const [id, messageId] of [
      [chatId, ownerMsg],
      [unused, clientId()],
    ] as const) {
      const post = await startTurn(
        {
          userId: intruder,
          chatId: id,
          message: { id: messageId, text: "hi" },
          provider: "openai",
          model: "gpt-4o-mini",
        },
        never(),
        h.turnDeps(),
      );
      await readAll(post.stream);
      expect((await post.done).status).toBe("COMPLETE");
      const mine = await listMessages(intruder, id, undefined, db);
      expect(mine.messages.map((m) => m.parts[0])).toEqual([{ type: "text", text: "hi" }, expect.anything()]);
    }
    expect((await listChats(intruder, undefined, db)).chats.map((c) => c.id).sort()).toEqual(
      [chatId, unused].sort(),
    );

    const after = await listMessages(owner, chatId, undefined, db);
    expect(after.messages.map((m) => m.parts[0])).toEqual([
      { type: "text", text: "private thoughts" },
      expect.anything(),
    ]);
    expect(after.messages[0]?.id).toBe(ownerMsg);
    const ownerChat = await db.chat.findUniqueOrThrow({
      where: { userId_id: { userId: owner, id: chatId } },
    });
    expect(ownerChat.title).toBe("private thoughts");
  });

  it("the owner can rename and delete", async () => {
    const owner = await userWithKey("owner2");
    const chatId = await chatWith(owner, ["to be deleted"]);
    const db = h.handle.prisma;
    // The route's schema makes a title one line of 1 to 120 characters; lib stores what it gets.
    const { title } = renameSchema.parse({ title: "  New \n  name " });
    expect((await renameChat(owner, chatId, title, db)).title).toBe("New name");
    expect(renameSchema.safeParse({ title: " \n  " }).success).toBe(false);
    expect(renameSchema.safeParse({ title: "x".repeat(121) }).success).toBe(false);
    await deleteChat(owner, chatId, db);
    expect(await db.message.count({ where: { chatId } })).toBe(0);
    expect(await codeOf(listMessages(owner, chatId, undefined, db))).toBe("NOT_FOUND");
  });
});

describe("usage", () => {
  it("sums tokens and cost per provider for today and the last 30 days", async () => {
    const userId = await userWithKey("usage");
    await chatWith(userId, ["count me", "and me"]);
    const old = new Date(Date.now() - 10 * 86_400_000);
    await h.handle.prisma.usageEvent.create({
      data: {
        userId,
        provider: "groq",
        keySource: "system",
        model: "x",
        inputTokens: 5,
        outputTokens: 7,
        costMicros: 3,
        createdAt: old,
      },
    });
    const s = await usageSummary(userId, undefined, h.handle.prisma);
    const openai = s.providers.find((p) => p.provider === "openai");
    const groq = s.providers.find((p) => p.provider === "groq");
    expect(openai?.today.requests).toBe(2);
    expect(openai?.today.inputTokens).toBeGreaterThan(0);
    expect(openai?.today.costMicros).toBeGreaterThan(0);
    expect(openai?.last30Days).toEqual(openai?.today);
    expect(groq?.today.requests).toBe(0);
    expect(groq?.last30Days).toEqual({ requests: 1, inputTokens: 5, outputTokens: 7, costMicros: 3 });
  });
});
