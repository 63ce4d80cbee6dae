import type { ChatErrorPayload } from "@/lib/chat/types";

// useChat reports a failed request as an Error whose message is the response body (our JSON),
// and an in-stream error part as an Error whose message is its errorText (the same JSON).

const FALLBACK: ChatErrorPayload = {
  code: "PROVIDER_UNAVAILABLE",
  message: "The connection was interrupted. Check your network and try again.",
};

export function parseChatError(error: Error | undefined): ChatErrorPayload | undefined {
  if (!error) return undefined;
  try {
    const body = JSON.parse(error.message) as Partial<ChatErrorPayload>;
    if (typeof body.code === "string" && typeof body.message === "string") {
      return {
        code: body.code,
        message: body.message,
        ...(typeof body.retryAfter === "number" ? { retryAfter: body.retryAfter } : {}),
        // Only a path inside this app (a link to the setting that caused it), never a URL.
        ...(typeof body.setting === "string" && /^\/settings\/[\w/#-]*$/.test(body.setting)
          ? { setting: body.setting }
          : {}),
      };
    }
  } catch {
    // Not ours: a network failure (fetch TypeError) or a proxy's HTML error page.
  }
  return FALLBACK;
}
