import { requireApiUser } from "@/lib/auth";
import { chatRequestSchema } from "@/lib/chat/schemas";
import { startTurn } from "@/lib/chat/turn";
import { UI_STREAM_HEADERS } from "@/lib/chat/ui-stream";
import { env } from "@/lib/env";
import { apiRoute, parseJson } from "@/lib/http";
import { linkToShutdown } from "@/lib/shutdown";

// POST /api/chat: one turn. Errors before the first token are real statuses with
// { code, message, retryAfter? }; after it they arrive as an error part in the stream.
export const runtime = "nodejs";

export const POST = apiRoute(
  async (req) => {
    const user = await requireApiUser();
    const body = await parseJson(req, chatRequestSchema(env().CHAT_MAX_MESSAGE_CHARS), {
      maxBytes: 256 * 1024,
    });
    // request.signal ends with the browser's connection: the upstream call is aborted with it,
    // as it is when a shutdown's grace period runs out (the partial answer is stored either way).
    const link = linkToShutdown(req.signal);
    let turn: Awaited<ReturnType<typeof startTurn>>;
    try {
      turn = await startTurn(
        {
          userId: user.id,
          chatId: body.id,
          message: body.message,
          provider: body.provider,
          model: body.model,
          regenerate: body.regenerate,
          parentId: body.parentId,
          editOf: body.editOf,
          settings: body.settings,
          answerId: body.answerId,
          ...(body.keyId ? { keyId: body.keyId } : {}),
        },
        link.signal,
      );
    } catch (e) {
      link.release();
      throw e;
    }
    void turn.done.then(link.release, link.release);
    return new Response(turn.stream, { headers: UI_STREAM_HEADERS });
  },
  { mutating: true },
);
