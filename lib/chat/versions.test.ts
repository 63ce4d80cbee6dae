import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { saveKey } from "@/lib/keys/save";
import { clientId, readAll, textOf } from "@/test/chat-stream";
import { failure } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { chatToMarkdown, loadChatExport } from "./export";
import { listMessages } from "./history";
import { searchChats } from "./search";
import { startTurn, type TurnInput } from "./turn";

vi.mock("server-only", () => ({}));

// Edit and versions on a real database, with turns through the mock upstream (which echoes
// "Echo (turn N): <last user text>", N = the user messages it was sent): a chat is a tree, an
// edit or a regenerate adds a version and keeps the old branch, the model sees only the path
// to the message it answers, and history, search and export follow the shown path.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
const MODEL = "gpt-4o-mini";

async function userWithKey(tag: string) {
  const userId = await h.newUser();
  await saveKey(userId, "openai", { apiKey: `sk-proj-${tag}VersionsKey0` }, undefined, h.deps);
  return userId;
}

type Sent = { messageId: string; answerId: string; text: string };

async function send(
  userId: string,
  chatId: string,
  text: string,
  extra: Partial<TurnInput> = {},
): Promise<Sent & { reply: string }> {
  const input: TurnInput = {
    userId,
    chatId,
    message: { id: clientId(), text },
    provider: "openai",
    model: MODEL,
    answerId: clientId("a"),
    ...extra,
  };
  const handle = await startTurn(input, never(), h.turnDeps());
  const reply = textOf(await readAll(handle.stream));
  await handle.done;
  return { messageId: input.message.id, answerId: handle.assistantMessageId, text, reply };
}

const shownIds = async (userId: string, chatId: string, opts = {}) =>
  (await listMessages(userId, chatId, opts, h.handle.prisma)).messages.map((m) => m.id);

/** The user texts of the last upstream request (what the model was sent). */
function lastUpstreamUserTexts(): string[] {
  const last = h.mock.requests().findLast((r) => r.kind === "generate");
  const body = last?.body as { messages?: { role: string; content: unknown }[]; input?: unknown } | null;
  const msgs = (body?.messages ?? (body?.input as { role: string; content: unknown }[]) ?? []).filter(
    (m) => m.role === "user",
  );
  return msgs.map((m) =>
    typeof m.content === "string"
      ? m.content
      : (m.content as { text?: string }[]).map((p) => p.text ?? "").join(""),
  );
}

describe("edit and resend", () => {
  it("an edit is a new version of the message: the model sees the turns before it, the old branch stays", async () => {
    const userId = await userWithKey("edit");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "first question");
    const t2 = await send(userId, chatId, "second question about pumpernickel", { parentId: t1.answerId });
    const t3 = await send(userId, chatId, "third question about sourdough", { parentId: t2.answerId });
    expect(t3.reply).toContain("Echo (turn 3): third question");

    // Edit the second message: a new user message following the same answer as the original.
    const edited = await send(userId, chatId, "second question, edited about rye", { editOf: t2.messageId });
    expect(edited.reply).toContain("Echo (turn 2): second question, edited about rye");
    expect(lastUpstreamUserTexts()).toEqual(["first question", "second question, edited about rye"]);

    // The chat shows the edited branch, with both versions of the second message.
    expect(await shownIds(userId, chatId)).toEqual([
      t1.messageId,
      t1.answerId,
      edited.messageId,
      edited.answerId,
    ]);
    const page = await listMessages(userId, chatId, {}, h.handle.prisma);
    expect(page.messages[2]?.metadata?.versions).toEqual([t2.messageId, edited.messageId]);
    expect(page.messages[0]?.metadata?.versions).toBeUndefined();

    // The original version and the turns below it are all still there.
    const old = await listMessages(userId, chatId, { from: t2.messageId }, h.handle.prisma);
    expect(old.messages.map((m) => m.id)).toEqual([t2.messageId, t2.answerId, t3.messageId, t3.answerId]);
    expect(old.messages[0]?.metadata?.versions).toEqual([t2.messageId, edited.messageId]);
    expect(old.messages[3]?.parts[0]).toMatchObject({ text: expect.stringContaining("turn 3") });

    // Continuing the old branch after switching back to it: its context is that branch.
    const t4 = await send(userId, chatId, "fourth on the old branch", { parentId: t3.answerId });
    expect(lastUpstreamUserTexts()).toEqual([
      "first question",
      "second question about pumpernickel",
      "third question about sourdough",
      "fourth on the old branch",
    ]);
    // The latest message decides the path a reload shows.
    expect(await shownIds(userId, chatId)).toEqual([
      t1.messageId,
      t1.answerId,
      t2.messageId,
      t2.answerId,
      t3.messageId,
      t3.answerId,
      t4.messageId,
      t4.answerId,
    ]);
    // And the page before a message is its own branch's.
    expect(await shownIds(userId, chatId, { before: edited.messageId, limit: 10 })).toEqual([
      t1.messageId,
      t1.answerId,
    ]);
  });

  it("editing the first message starts a new root; a duplicate answer id replays without a provider call", async () => {
    const userId = await userWithKey("root");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "original opening");
    await send(userId, chatId, "follow-up", { parentId: t1.answerId });
    const answerId = clientId("a");
    const messageId = clientId();
    const edit = { message: { id: messageId, text: "new opening" }, parentId: null, answerId };
    const first = await send(userId, chatId, "new opening", edit);
    expect(first.reply).toContain("Echo (turn 1): new opening");
    expect(lastUpstreamUserTexts()).toEqual(["new opening"]);

    const calls = h.mock.requests().length;
    const again = await startTurn(
      { userId, chatId, provider: "openai", model: MODEL, ...edit },
      never(),
      h.turnDeps(),
    );
    expect(again.replayed).toBe(true);
    expect(textOf(await readAll(again.stream))).toBe(first.reply);
    expect(h.mock.requests().length).toBe(calls);

    const page = await listMessages(userId, chatId, {}, h.handle.prisma);
    expect(page.messages.map((m) => m.id)).toEqual([messageId, answerId]);
    expect(page.messages[0]?.metadata?.versions).toEqual([t1.messageId, messageId]);
  });

  it("a parent that is not this user's answer in this chat is NOT_FOUND and stores nothing", async () => {
    const owner = await userWithKey("owner");
    const intruder = await userWithKey("intruder");
    const chatId = clientId("c");
    const t1 = await send(owner, chatId, "owner's message");
    const mine = clientId("c");
    const m1 = await send(intruder, mine, "intruder's message");
    const before = await h.handle.prisma.message.count({ where: { userId: intruder } });
    // Another user's answer id, a user message as the parent, an answer of another chat.
    for (const parentId of [t1.answerId, m1.messageId]) {
      const err = await failure(send(intruder, mine, "hi", { parentId }));
      expect(err.code).toBe("NOT_FOUND");
    }
    const other = await send(intruder, clientId("c"), "another chat");
    expect((await failure(send(intruder, mine, "hi", { parentId: other.answerId }))).code).toBe("NOT_FOUND");
    // An edit of another user's message, of an answer, of another chat's message.
    for (const editOf of [t1.messageId, m1.answerId, other.messageId]) {
      expect((await failure(send(intruder, mine, "hi", { editOf }))).code).toBe("NOT_FOUND");
    }
    expect(await h.handle.prisma.message.count({ where: { userId: intruder } })).toBe(before + 2);
    // Another user's message id is an unknown one for a branch read.
    expect((await failure(listMessages(intruder, mine, { from: t1.messageId }, h.handle.prisma))).code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("regenerate", () => {
  it("regenerating an earlier answer branches there: the later turns stay under the previous version", async () => {
    const userId = await userWithKey("regen");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "alpha");
    const t2 = await send(userId, chatId, "beta", { parentId: t1.answerId });
    const again = await send(userId, chatId, "", {
      message: { id: t1.messageId, text: "" },
      regenerate: true,
    });
    expect(again.reply).toContain("Echo (turn 1): alpha");
    expect(lastUpstreamUserTexts()).toEqual(["alpha"]);
    const page = await listMessages(userId, chatId, {}, h.handle.prisma);
    expect(page.messages.map((m) => m.id)).toEqual([t1.messageId, again.answerId]);
    expect(page.messages[1]?.metadata?.versions).toEqual([t1.answerId, again.answerId]);
    expect(await shownIds(userId, chatId, { from: t1.answerId })).toEqual([
      t1.answerId,
      t2.messageId,
      t2.answerId,
    ]);
  });

  it("three versions of the last answer, each its own answer id, newest shown", async () => {
    const userId = await userWithKey("three");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "gamma");
    const v2 = await send(userId, chatId, "", { message: { id: t1.messageId, text: "" }, regenerate: true });
    const v3 = await send(userId, chatId, "", { message: { id: t1.messageId, text: "" }, regenerate: true });
    const page = await listMessages(userId, chatId, {}, h.handle.prisma);
    expect(page.messages[1]?.id).toBe(v3.answerId);
    expect(page.messages[1]?.metadata?.versions).toEqual([t1.answerId, v2.answerId, v3.answerId]);
    expect(await shownIds(userId, chatId, { from: v2.answerId })).toEqual([v2.answerId]);
  });
});

describe("search and export with versions", () => {
  it("search finds what the chat shows, not earlier versions; export marks them as previous versions", async () => {
    const userId = await userWithKey("search");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "opening about zucchini");
    const t2 = await send(userId, chatId, "tell me about quinoa", { parentId: t1.answerId });
    const edited = await send(userId, chatId, "tell me about buckwheat", { parentId: t1.answerId });
    const db = h.handle.prisma;
    expect((await searchChats(userId, "buckwheat", undefined, db)).map((x) => x.id)).toEqual([chatId]);
    expect((await searchChats(userId, "zucchini", undefined, db)).map((x) => x.id)).toEqual([chatId]);
    expect(await searchChats(userId, "quinoa", undefined, db)).toEqual([]);

    const doc = await loadChatExport(userId, chatId, new Date("2026-11-27T10:00:00Z"), db);
    expect(doc.messages.map((m) => m.id)).toEqual([
      t1.messageId,
      t1.answerId,
      edited.messageId,
      edited.answerId,
    ]);
    expect(doc.messages[2]?.versions).toEqual([t2.messageId, edited.messageId]);
    expect(doc.previousVersions.map((m) => [m.id, m.parentId])).toEqual([
      [t2.messageId, t1.answerId],
      [t2.answerId, t2.messageId],
    ]);
    const md = chatToMarkdown(doc);
    expect(md).toContain("## You (version 2 of 2)\n\ntell me about buckwheat");
    expect(md).toContain("# Previous versions");
    expect(md).toContain("## You · previous version (version 1 of 2)");
    expect(md.indexOf("tell me about quinoa")).toBeGreaterThan(md.indexOf("# Previous versions"));
  });
});

describe("chats stored before versions", () => {
  it("the migration gives each user message the newest answer before it as its parent", async () => {
    const userId = await userWithKey("legacy");
    const chatId = clientId("c");
    const t1 = await send(userId, chatId, "one");
    const v2 = await send(userId, chatId, "", { message: { id: t1.messageId, text: "" }, regenerate: true });
    const t2 = await send(userId, chatId, "two");
    const t3 = await send(userId, chatId, "three");
    const db = h.handle.prisma;
    // As rows were stored before: a user message named no parent.
    await db.message.updateMany({ where: { userId, chatId, role: "user" }, data: { replyToId: null } });
    expect(await shownIds(userId, chatId)).toEqual([t3.messageId, t3.answerId]);
    const sql = await readFile(
      new URL("../../prisma/migrations/20261127100000_h31_message_tree/migration.sql", import.meta.url),
      "utf8",
    );
    await db.$executeRawUnsafe(sql);
    expect(await shownIds(userId, chatId)).toEqual([
      t1.messageId,
      v2.answerId,
      t2.messageId,
      t2.answerId,
      t3.messageId,
      t3.answerId,
    ]);
    const page = await listMessages(userId, chatId, {}, db);
    expect(page.messages[1]?.metadata?.versions).toEqual([t1.answerId, v2.answerId]);
    expect(page.messages[2]?.metadata?.versions).toBeUndefined();
  });
});
