import { generateText, type LanguageModel } from "ai";

// A chat's title: first a few words of the first message (instant, always available), then a
// model-written one after the first answer, which replaces it only if nobody renamed the chat.

const MAX_TITLE_CHARS = 60;

export function fallbackTitle(text: string): string {
  const words = text.replace(/\s+/g, " ").trim().split(" ").slice(0, 7).join(" ");
  return clip(words) || "New chat";
}

export function cleanTitle(raw: string): string | undefined {
  const line = raw
    .replace(/[`*#_]/g, "")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) return undefined;
  const t = line
    .replace(/^title\s*:\s*/i, "")
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, "")
    .replace(/[.!?:;,\s]+$/, "")
    .trim();
  return t ? clip(t) : undefined;
}

function clip(s: string): string {
  if (s.length <= MAX_TITLE_CHARS) return s;
  const cut = s.slice(0, MAX_TITLE_CHARS - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > 20 ? cut.slice(0, space) : cut}…`;
}

/** Tokens a title call used: it runs on the turn's key, so its use counts like the answer's. */
export type TitleUsage = { inputTokens: number; outputTokens: number };

/**
 * One short, cheap, non-retried call. `title` is undefined when the model fails or says nothing
 * useful; `usage` is what the provider reported for the call (absent when it failed).
 */
export async function generateTitle(
  model: LanguageModel,
  userText: string,
  timeoutMs = 15_000,
): Promise<{ title?: string; usage?: TitleUsage }> {
  try {
    const { text, usage } = await generateText({
      model,
      maxRetries: 0,
      maxOutputTokens: 24,
      abortSignal: AbortSignal.timeout(timeoutMs),
      system:
        "Write a title of 2 to 6 words for a conversation that starts with the user's message. Reply with the title only, no quotes, no punctuation at the end.",
      // The question alone names the topic; sending the answer too would double the cost.
      prompt: userText.slice(0, 1000),
    });
    const title = cleanTitle(text);
    return {
      ...(title ? { title } : {}),
      usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
    };
  } catch {
    return {};
  }
}
