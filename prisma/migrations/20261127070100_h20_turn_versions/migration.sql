-- Chat and message ids unique per user, answers that belong to their user message (with
-- versions), a per-chat sequence for ordering, and a heartbeat for answers still streaming.

-- Per-user keys: composite primary keys, and the message → chat key carries the user.
ALTER TABLE "Message" DROP CONSTRAINT "Message_chatId_fkey";
ALTER TABLE "Chat" DROP CONSTRAINT "Chat_pkey";
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_pkey" PRIMARY KEY ("userId", "id");
ALTER TABLE "Message" DROP CONSTRAINT "Message_pkey";
ALTER TABLE "Message" ADD CONSTRAINT "Message_pkey" PRIMARY KEY ("userId", "id");

ALTER TABLE "Chat" ADD COLUMN "turnSeq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Message" ADD COLUMN "seq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Message" ADD COLUMN "replyToId" TEXT;
ALTER TABLE "Message" ADD COLUMN "heartbeatAt" TIMESTAMP(3);

-- Existing rows: numbered in their old (creation time) order; each answer belongs to the user
-- message before it; each chat's counter continues after its last message.
UPDATE "Message" m SET "seq" = s."n"
FROM (
  SELECT "userId", "id", row_number() OVER (PARTITION BY "userId", "chatId" ORDER BY "createdAt", "id") AS "n"
  FROM "Message"
) s
WHERE m."userId" = s."userId" AND m."id" = s."id";

UPDATE "Message" a SET "replyToId" = (
  SELECT u."id" FROM "Message" u
  WHERE u."userId" = a."userId" AND u."chatId" = a."chatId" AND u."role" = 'user' AND u."seq" < a."seq"
  ORDER BY u."seq" DESC LIMIT 1
)
WHERE a."role" = 'assistant';

UPDATE "Chat" c SET "turnSeq" = COALESCE(
  (SELECT max(m."seq") FROM "Message" m WHERE m."userId" = c."userId" AND m."chatId" = c."id"), 0);

-- The old code never left a row STREAMING; should one exist, it was cut off.
UPDATE "Message" SET "status" = 'ABORTED' WHERE "status" = 'STREAMING';

DROP INDEX "Message_chatId_createdAt_idx";
-- The primary key ("userId", "id") serves lookups by user.
DROP INDEX "Message_userId_idx";
CREATE INDEX "Message_userId_chatId_seq_idx" ON "Message"("userId", "chatId", "seq");
CREATE INDEX "Message_userId_replyToId_idx" ON "Message"("userId", "replyToId");

ALTER TABLE "Message" ADD CONSTRAINT "Message_userId_chatId_fkey" FOREIGN KEY ("userId", "chatId") REFERENCES "Chat"("userId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Message" ADD CONSTRAINT "Message_userId_replyToId_fkey" FOREIGN KEY ("userId", "replyToId") REFERENCES "Message"("userId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
