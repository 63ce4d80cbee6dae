import { requireApiUser } from "@/lib/auth";
import { chatExportQuerySchema, exportChat } from "@/lib/chat/export";
import { chatIdSchema } from "@/lib/chat/schemas";
import { AppError, validationError } from "@/lib/errors";
import { apiRoute } from "@/lib/http";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/chats/<id>/export?format=md|json → the chat as a download (lib/chat/export.ts).
// Someone else's chat, like a missing or malformed id, is 404.
export const GET = apiRoute<Ctx>(async (req, ctx) => {
  const user = await requireApiUser();
  const id = chatIdSchema.safeParse((await ctx.params).id);
  if (!id.success) throw new AppError("NOT_FOUND", "Chat not found.");
  const query = chatExportQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) throw validationError(query.error);
  const file = await exportChat(user.id, id.data, query.data.format);
  return new Response(file.body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "private, no-store",
    },
  });
});
