import { requireApiUser } from "@/lib/auth";
import { updateChatSettings } from "@/lib/chat/chat-settings";
import { chatIdSchema, chatSettingsUpdateSchema } from "@/lib/chat/schemas";
import { AppError } from "@/lib/errors";
import { apiRoute, parseJson } from "@/lib/http";

// PUT /api/chats/[id]/settings: the chat's own instructions, temperature and max output. A new
// chat has no row yet: its settings travel with its first message (POST /api/chat).
type Ctx = { params: Promise<{ id: string }> };

export const PUT = apiRoute<Ctx>(
  async (req, ctx) => {
    const user = await requireApiUser();
    const parsed = chatIdSchema.safeParse((await ctx.params).id);
    if (!parsed.success) throw new AppError("NOT_FOUND", "Chat not found.");
    const body = await parseJson(req, chatSettingsUpdateSchema, { maxBytes: 64 * 1024 });
    return { settings: await updateChatSettings(user.id, parsed.data, body.settings) };
  },
  { mutating: true },
);
