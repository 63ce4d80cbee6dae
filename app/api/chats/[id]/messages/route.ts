import { requireApiUser } from "@/lib/auth";
import { listMessages } from "@/lib/chat/history";
import { chatIdSchema, messagesQuerySchema } from "@/lib/chat/schemas";
import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/http";

// GET /api/chats/:id/messages?before=<messageId>&limit= → { messages, hasMore }, oldest first.
export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (req, ctx) => {
  const user = await requireApiUser();
  const id = chatIdSchema.safeParse((await ctx.params).id);
  if (!id.success) throw new AppError("NOT_FOUND", "Chat not found.");
  const query = messagesQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return listMessages(user.id, id.data, query);
});
