import {
  convertToModelMessages,
  createUIMessageStreamResponse,
  streamText,
  toUIMessageStream,
  type UIMessage,
} from "ai";
import { z } from "zod";
import { createLanguageModel } from "@/lib/ai/model";
import { isKnownModel, PROVIDER_IDS } from "@/lib/ai/registry";
import { requireApiUser } from "@/lib/auth";
import { benchOnly } from "@/lib/bench-routes";
import { saveTurn } from "@/lib/chat/persist";
import { checkChatRateLimit } from "@/lib/chat/rate-limit";
import { CLIENT_ID_PATTERN } from "@/lib/chat/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { apiRoute, parseJson } from "@/lib/http";
import { resolveKey } from "@/lib/keys/resolve";
import { text } from "@/lib/text";

// POST /api/bench/canonical — bench only (404 unless BYOK_BENCH_ROUTES=1, see lib/bench-routes.ts).
// The same turn as POST /api/chat written the way the AI SDK 7 docs write a chat route with
// persistence (docs/04-ai-sdk-ui/03-chatbot-message-persistence: the client sends only its new
// message; the route loads the earlier ones, `streamText` + `convertToModelMessages`, and
// `createUIMessageStreamResponse({ stream: toUIMessageStream({ stream: result.stream,
// originalMessages, onEnd }) })`, saving in `onEnd`). It does the same security work as ours —
// the session, the rate limit, the user's key looked up and decrypted for this request, the
// ownership-checked writes — through the same lib functions, so the bench compares the path,
// not the checks. What it leaves out is what the docs leave out: the model-written title, the
// real error statuses before the first token, the retry and idle policies.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const clientId = text().regex(CLIENT_ID_PATTERN);
const buildBodySchema = (maxChars: number) =>
  z
    .object({
      id: clientId,
      message: z.strictObject({
        id: clientId,
        role: z.literal("user"),
        parts: z
          .array(z.strictObject({ type: z.literal("text"), text: text().min(1).max(maxChars) }))
          .length(1),
      }),
      provider: z.enum(PROVIDER_IDS),
      model: text().min(1).max(200),
    })
    .refine((b) => isKnownModel(b.provider, b.model), { path: ["model"], message: "Unknown model." });
let bodySchema: { maxChars: number; schema: ReturnType<typeof buildBodySchema> } | undefined;
/** Built once per message limit (the environment's), as lib/chat/schemas.ts does for /api/chat. */
function schemaFor(maxChars: number) {
  if (bodySchema?.maxChars !== maxChars) bodySchema = { maxChars, schema: buildBodySchema(maxChars) };
  return bodySchema.schema;
}

const textOf = (m: UIMessage) =>
  m.parts
    .filter((p): p is { type: "text"; text: string } => p.type === "text")
    .map((p) => p.text)
    .join("");

export const POST = benchOnly(
  apiRoute(
    async (req) => {
      const user = await requireApiUser();
      const body = await parseJson(req, schemaFor(env().CHAT_MAX_MESSAGE_CHARS), { maxBytes: 256 * 1024 });
      const text = body.message.parts[0]?.text ?? "";

      // The docs' loadChat(id): this user's earlier messages of this chat.
      const previous = await db().message.findMany({
        where: { chatId: body.id, userId: user.id },
        orderBy: [{ seq: "asc" }, { id: "asc" }],
        select: { id: true, role: true, content: true },
      });
      const key = await resolveKey(user.id, body.provider);
      await checkChatRateLimit(user.id, key.source);
      const model = createLanguageModel({
        provider: body.provider,
        apiKey: key.apiKey,
        baseUrl: key.baseUrl,
        modelId: body.model,
      });

      const messages: UIMessage[] = [
        ...previous.map(
          (m): UIMessage => ({
            id: m.id,
            role: m.role === "assistant" ? "assistant" : "user",
            parts: [{ type: "text", text: m.content }],
          }),
        ),
        body.message,
      ];
      const result = streamText({
        model,
        messages: await convertToModelMessages(messages),
        abortSignal: req.signal,
      });

      return createUIMessageStreamResponse({
        stream: toUIMessageStream({
          stream: result.stream,
          originalMessages: messages,
          generateMessageId: () => crypto.randomUUID(),
          onEnd: async ({ messages: all, isAborted }) => {
            const answer = all.at(-1);
            if (answer?.role !== "assistant") return;
            const usage = isAborted
              ? undefined
              : await Promise.resolve(result.totalUsage).catch(() => undefined);
            // The user message and the finished answer, in the chat's order.
            await saveTurn(
              db(),
              {
                userId: user.id,
                chatId: body.id,
                title: text.slice(0, 80),
                provider: body.provider,
                model: body.model,
                keySource: key.source,
                message: { id: body.message.id, text },
                answerId: answer.id,
              },
              {
                content: textOf(answer),
                status: isAborted ? "ABORTED" : "COMPLETE",
                provider: body.provider,
                model: body.model,
                keySource: key.source,
                usage:
                  usage?.inputTokens !== undefined && usage.outputTokens !== undefined
                    ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }
                    : undefined,
              },
            );
          },
        }),
      });
    },
    { mutating: true },
  ),
);
