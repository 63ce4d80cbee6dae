import { randomUUID } from "node:crypto";
import type { StreamRequest } from "./client";

// The arms of the latency phases. Direct, bare pipe and the Next.js floor send what
// @ai-sdk/openai sends to the Responses API; the app arm sends what the chat page sends to
// POST /api/chat; the canonical arm sends what `useChat` sends to a chat route written as the
// AI SDK docs write it (only the new message). All end at the same mock upstream, which answers
// the same number of frames at the same pace.
//
//  - direct:    client → mock (the baseline every other arm is compared with);
//  - pipe:      client → bare node:http pipe → mock (the floor of any proxy on this machine);
//  - floor:     client → POST /api/bench/floor → mock (Next.js's own cost: a route handler that
//               only pipes the bytes through; no session, database or SDK);
//  - canonical: client → POST /api/bench/canonical → mock (streamText + toUIMessageStream +
//               createUIMessageStreamResponse, with our session, key, limits and writes);
//  - app:       client → POST /api/chat → mock (BYOK Chat's path).

export type ArmName = "direct" | "pipe" | "floor" | "canonical" | "app";
export const ARMS: readonly ArmName[] = ["direct", "pipe", "floor", "canonical", "app"];
/** Arms served by the app server (its CPU is theirs). */
export const SERVER_ARMS: readonly ArmName[] = ["floor", "canonical", "app"];

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

function upstreamRequest(url: string, key: string): StreamRequest {
  return {
    url,
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

/** What useChat's default transport sends to a docs-style route that loads the history itself. */
function canonicalRequest(appUrl: string, cookie: string): StreamRequest {
  const req = appRequest(appUrl, cookie);
  return {
    ...req,
    url: `${appUrl}/api/bench/canonical`,
    body: JSON.stringify({
      id: randomUUID(),
      message: { id: randomUUID(), role: "user", parts: [{ type: "text", text: PROMPT }] },
      provider: "openai",
      model: MODEL,
    }),
  };
}

export function requestFor(arm: ArmName, t: ArmTargets): StreamRequest {
  switch (arm) {
    case "direct":
      return upstreamRequest(`${t.mockUrl}/v1/responses`, t.upstreamKey);
    case "pipe":
      return upstreamRequest(`${t.pipeUrl}/v1/responses`, t.upstreamKey);
    case "floor":
      return upstreamRequest(`${t.appUrl}/api/bench/floor`, t.upstreamKey);
    case "canonical":
      return canonicalRequest(t.appUrl, t.cookie);
    case "app":
      return appRequest(t.appUrl, t.cookie);
  }
}
