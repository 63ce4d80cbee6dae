import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ChatSettings } from "./params";
import type { Db } from "./persist";

// A chat's own instructions and parameters (columns of its row). Written by the settings
// dialog of an existing chat, and by a turn whose request carried settings that differ from the
// stored ones (a new chat's dialog is saved with its first message, which creates the row).

export const sameSettings = (a: ChatSettings, b: ChatSettings) =>
  a.systemPrompt === b.systemPrompt &&
  a.temperature === b.temperature &&
  a.maxOutputTokens === b.maxOutputTokens;

/** Stores the settings on this user's chat; false when the chat is not theirs or missing. */
export async function writeChatSettings(
  client: Db,
  userId: string,
  chatId: string,
  s: ChatSettings,
): Promise<boolean> {
  // updatedAt is left alone: changing a setting does not move the chat up the history list.
  const n = await client.$executeRaw`
    UPDATE "Chat" SET "systemPrompt" = ${s.systemPrompt}, "temperature" = ${s.temperature}::float8,
      "maxOutputTokens" = ${s.maxOutputTokens}::int
    WHERE "id" = ${chatId} AND "userId" = ${userId}`;
  return n > 0;
}

/** PUT /api/chats/[id]/settings. `settings` has passed chatSettingsUpdateSchema. */
export async function updateChatSettings(
  userId: string,
  chatId: string,
  settings: ChatSettings,
  client: Db = db(),
): Promise<ChatSettings> {
  if (!(await writeChatSettings(client, userId, chatId, settings)))
    throw new AppError("NOT_FOUND", "Chat not found.");
  return settings;
}
