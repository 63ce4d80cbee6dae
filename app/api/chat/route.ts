import { requireApiUser } from "@/lib/auth";
import { chatRequestSchema } from "@/lib/chat/schemas";
import { startTurn } from "@/lib/chat/turn";
import { UI_STREAM_HEADERS } from "@/lib/chat/ui-stream";
import { env } from "@/lib/env";
import { apiRoute, parseJson } from "@/lib/http";

// POST /api/chat: one turn. Errors before the first token are real statuses with
// { code, message, retryAfter? }; after it they arrive as an error part in the stream.
export const runtime = "nodejs";

export const POST = apiRoute(
  async (req) => {
    const user = await requireApiUser();
    const body = await parseJson(req, chatRequestSchema(env().CHAT_MAX_MESSAGE_CHARS), {
      maxBytes: 256 * 1024,
    });
    // request.signal ends with the browser's connection: the upstream call is aborted with it.
    const turn = await startTurn(
      {
        userId: user.id,
        chatId: body.id,
        message: body.message,
        provider: body.provider,
        model: body.model,
        regenerate: body.regenerate,
      },
      req.signal,
    );
    return new Response(turn.stream, { headers: UI_STREAM_HEADERS });
  },
  { mutating: true },
);
