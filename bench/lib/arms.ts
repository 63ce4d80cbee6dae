import { randomUUID } from "node:crypto";
import type { StreamRequest } from "./client";

// The three arms of the latency phases. Direct and bare pipe send what @ai-sdk/openai sends to
// the Responses API; the app arm sends what the chat page sends to POST /api/chat. All three
// end at the same mock upstream, which answers the same number of frames at the same pace.

export type ArmName = "direct" | "pipe" | "app";
export const ARMS: readonly ArmName[] = ["direct", "pipe", "app"];

export const MODEL = "gpt-5-mini";
export const PROMPT = "Benchmark turn: answer with the usual mock reply, please.";

const isResponsesDelta = (event: string) => event.startsWith("event: response.output_text.delta");
const isUiTextDelta = (event: string) => event.includes('"type":"text-delta"');

export type ArmTargets = {
  mockUrl: string;
  pipeUrl: string;
  appUrl: string;
  /** The upstream key the direct and pipe arms send (the app sends the user's stored key). */
  upstreamKey: string;
  /** Cookie header of a signed-in user with a personal OpenAI key. */
  cookie: string;
};

function upstreamRequest(base: string, key: string): StreamRequest {
  return {
    url: `${base}/v1/responses`,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      accept: "text/event-stream",
    },
    body: JSON.stringify({
      model: MODEL,
      input: [{ role: "user", content: [{ type: "input_text", text: PROMPT }] }],
      stream: true,
      store: false,
    }),
    isToken: isResponsesDelta,
  };
}

export function appRequest(appUrl: string, cookie: string): StreamRequest {
  return {
    url: `${appUrl}/api/chat`,
    headers: {
      "content-type": "application/json",
      origin: appUrl,
      cookie,
      accept: "text/event-stream",
      // What a browser's fetch adds; the client undoes any compression the server applies.
      "accept-encoding": "gzip, deflate, br",
    },
    // A new chat per request: the first turn of a conversation, as "New chat" sends it.
    body: JSON.stringify({
      id: randomUUID(),
      message: { id: randomUUID(), text: PROMPT },
      provider: "openai",
      model: MODEL,
    }),
    isToken: isUiTextDelta,
  };
}

export function requestFor(arm: ArmName, t: ArmTargets): StreamRequest {
  if (arm === "direct") return upstreamRequest(t.mockUrl, t.upstreamKey);
  if (arm === "pipe") return upstreamRequest(t.pipeUrl, t.upstreamKey);
  return appRequest(t.appUrl, t.cookie);
}
