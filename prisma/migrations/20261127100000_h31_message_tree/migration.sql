-- Edit and versions (issue 14): a chat is a tree. An answer follows its user message (replyToId,
-- as before); a user message now follows the answer before it (replyToId; null: the chat's
-- first message), so an edited message is a new user message with the same parent as the one
-- it replaces, and the turns below the original stay as its branch. Chats so far were linear
-- (only the latest message could be answered again): each user message follows the newest
-- answer (highest seq) of the user message before it, as it did when it was sent.
UPDATE "Message" u SET "replyToId" = (
  SELECT a."id" FROM "Message" a
  WHERE a."userId" = u."userId" AND a."chatId" = u."chatId" AND a."role" = 'assistant' AND a."seq" < u."seq"
    AND a."replyToId" = (
      SELECT p."id" FROM "Message" p
      WHERE p."userId" = u."userId" AND p."chatId" = u."chatId" AND p."role" = 'user' AND p."seq" < u."seq"
      ORDER BY p."seq" DESC, p."id" DESC LIMIT 1)
  ORDER BY a."seq" DESC, a."id" DESC LIMIT 1)
WHERE u."role" = 'user' AND u."replyToId" IS NULL;
