import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/test/harness";
import { describePostgres, tempDatabase } from "@/test/postgres";
import { createDbClient, type DbHandle } from "./index";
import { searchMessages } from "./search";

const quiet = () => {};

// The same checks for both modes: they share one schema and one migration history.
function roundTripSuite(open: () => Promise<DbHandle>) {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(() => handle?.close());

  it("writes a user, a chat and a message and reads them back", async () => {
    const { prisma } = handle;
    const user = await prisma.user.create({ data: { email: `${randomUUID()}@example.test`, name: "Ada" } });
    const chat = await prisma.chat.create({ data: { userId: user.id, title: "Foxes" } });
    await prisma.message.create({
      data: {
        id: randomUUID(),
        chatId: chat.id,
        userId: user.id,
        role: "user",
        content: "The quick brown fox jumps over the lazy dog",
        parts: [{ type: "text", text: "The quick brown fox" }],
      },
    });

    const read = await prisma.chat.findFirst({
      where: { id: chat.id, userId: user.id },
      include: { messages: true, user: true },
    });
    expect(read?.user.email).toBe(user.email);
    expect(read?.messages).toHaveLength(1);
    expect(read?.messages[0]?.content).toContain("brown fox");
    expect(read?.messages[0]?.status).toBe("COMPLETE");
    expect(read?.messages[0]?.parts).toEqual([{ type: "text", text: "The quick brown fox" }]);
  });

  it("finds a message by a word from its middle, only for its owner", async () => {
    const { prisma } = handle;
    const owner = await prisma.user.create({ data: { email: `${randomUUID()}@example.test` } });
    const other = await prisma.user.create({ data: { email: `${randomUUID()}@example.test` } });
    const chat = await prisma.chat.create({ data: { userId: owner.id, title: "Travel plans" } });
    const id = randomUUID();
    const content = "Let us book the overnight train to Vienna and a hotel near the opera";
    await prisma.message.create({ data: { id, chatId: chat.id, userId: owner.id, role: "user", content } });

    const hits = await searchMessages(owner.id, "Vienna", 10, prisma);
    expect(hits).toEqual([
      expect.objectContaining({ chatId: chat.id, chatTitle: "Travel plans", messageId: id }),
    ]);
    expect(hits[0]?.snippet).toContain("Vienna");
    expect(hits[0]?.createdAt).toBeInstanceOf(Date);

    expect(await searchMessages(owner.id, "overnight train", 10, prisma)).toHaveLength(1);
    expect(await searchMessages(owner.id, "Berlin", 10, prisma)).toEqual([]);
    expect(await searchMessages(other.id, "Vienna", 10, prisma)).toEqual([]);
    expect(await searchMessages(owner.id, "   ", 10, prisma)).toEqual([]);
  });
}

describe("db in embedded mode (PGlite)", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "byok-db-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  roundTripSuite(async () => {
    await migrate({ dataDir: root, log: quiet });
    const handle = createDbClient({ dataDir: root, purpose: "db.test" });
    expect(handle.embedded).toBe(true);
    return handle;
  });
});

describePostgres("db on PostgreSQL", () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(() => drop?.());
  roundTripSuite(async () => {
    const tmp = await tempDatabase();
    drop = tmp.drop;
    await migrate({ databaseUrl: tmp.url, log: quiet });
    return createDbClient({ databaseUrl: tmp.url });
  });
});
