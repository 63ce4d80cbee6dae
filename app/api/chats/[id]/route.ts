import { requireApiUser } from "@/lib/auth";
import { deleteChat, getChat, renameChat } from "@/lib/chat/history";
import { chatIdSchema, renameSchema } from "@/lib/chat/schemas";
import { AppError } from "@/lib/errors";
import { apiRoute, parseJson } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };

async function chatId(ctx: Ctx): Promise<string> {
  const parsed = chatIdSchema.safeParse((await ctx.params).id);
  // A malformed id cannot name any chat.
  if (!parsed.success) throw new AppError("NOT_FOUND", "Chat not found.");
  return parsed.data;
}

export const GET = apiRoute<Ctx>(async (_req, ctx) => {
  const user = await requireApiUser();
  const chat = await getChat(user.id, await chatId(ctx));
  if (!chat) throw new AppError("NOT_FOUND", "Chat not found.");
  return {
    id: chat.id,
    title: chat.title,
    provider: chat.provider,
    model: chat.model,
    updatedAt: chat.updatedAt,
  };
});

export const PATCH = apiRoute<Ctx>(async (req, ctx) => {
  const user = await requireApiUser();
  const id = await chatId(ctx);
  const { title } = await parseJson(req, renameSchema);
  return renameChat(user.id, id, title);
});

export const DELETE = apiRoute<Ctx>(async (_req, ctx) => {
  const user = await requireApiUser();
  await deleteChat(user.id, await chatId(ctx));
  return new Response(null, { status: 204 });
});
