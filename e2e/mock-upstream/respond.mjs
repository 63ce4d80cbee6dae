// Writes one model response, streamed or not, under a scenario, and records what happened in
// the request's log entry (tokens sent, first token time, client abort).

import { geminiJson, geminiStream } from "./gemini-format.mjs";
import { chatJson, chatStream, responsesJson, responsesStream } from "./openai-format.mjs";
import { midStreamError } from "./scenarios.mjs";

/** Resolves after `ms`, or early when the client goes away; leaves no listener behind. */
const wait = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

function writerFor(route, body) {
  if (route.api === "responses") return route.stream ? responsesStream : responsesJson;
  if (route.api === "gemini") return route.stream ? geminiStream : geminiJson;
  const groq = route.provider === "groq";
  if (!route.stream) return (ctx) => chatJson(ctx, { groq });
  const includeUsage = body?.stream_options?.include_usage === true;
  return (ctx) => chatStream(ctx, { groq, includeUsage });
}

/** Sends headers, then nothing, until the client leaves or `stallMs` passes. */
export async function stall(res, entry, signal, stallMs, stream) {
  res.writeHead(200, { "content-type": stream ? "text/event-stream" : "application/json" });
  res.flushHeaders();
  await wait(stallMs, signal);
  if (!signal.aborted) {
    entry.serverClosed = true;
    res.destroy();
  }
}

/**
 * @param {object} p
 * @param {{ provider: string, api: string, stream: boolean }} p.route
 * @param {{ frames: string[], text: string }} p.reply
 * @param {{ frames: string[], text: string } | null} p.reasoning sent before the reply
 */
export async function respondWithReply({
  res,
  route,
  body,
  entry,
  signal,
  ctx,
  reply,
  reasoning,
  scenario,
  timing,
}) {
  const make = writerFor(route, body);
  const full = {
    ...ctx,
    text: reply.text,
    reasoning: reasoning?.text ?? null,
    encryptedReasoning: Array.isArray(body?.include) && body.include.includes("reasoning.encrypted_content"),
    // Gemini sends thought parts only when asked; without it the thinking is only counted.
    includeThoughts: body?.generationConfig?.thinkingConfig?.includeThoughts === true,
  };
  if (!route.stream) {
    await wait(timing.ttftMs, signal);
    if (signal.aborted) return;
    const json = JSON.stringify(make(full));
    res.writeHead(200, { "content-type": "application/json" });
    if (scenario === "midcut") {
      res.write(json.slice(0, Math.floor(json.length / 2)));
      entry.serverClosed = true;
      return void res.destroy();
    }
    entry.firstTokenAt = Date.now();
    entry.tokensSent = reply.frames.length;
    return void res.end(json);
  }

  const w = make(full);
  res.writeHead(200, {
    "content-type": w.contentType,
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  for (const s of w.pre()) res.write(s);
  res.flushHeaders();
  await wait(timing.ttftMs, signal);
  // Reasoning first, paced like tokens; a format that hides it (null) only takes the time.
  const thoughts = reasoning?.frames ?? [];
  for (let i = 0; i < thoughts.length; i++) {
    if (signal.aborted) return;
    if (i > 0) await wait(timing.tokenDelayMs, signal);
    if (signal.aborted) return;
    const frame = w.reasoning(thoughts[i], i, thoughts.length);
    if (frame === null) continue;
    res.write(frame);
    entry.reasoningSent++;
    entry.firstTokenAt ??= Date.now();
  }
  const count = reply.frames.length;
  for (let i = 0; i < count; i++) {
    if (signal.aborted) return;
    if (i > 0 || thoughts.length > 0) await wait(timing.tokenDelayMs, signal);
    if (signal.aborted) return;
    res.write(w.token(reply.frames[i], i, count));
    entry.tokensSent++;
    entry.firstTokenAt ??= Date.now();
    if (
      (scenario === "midfail" || scenario === "midcut") &&
      entry.tokensSent >= Math.min(timing.midfailAfter, count - 1)
    ) {
      if (scenario === "midcut") {
        // Let the tokens reach the client first, then drop the socket without an SSE ending.
        entry.serverClosed = true;
        await wait(20, signal);
        return void res.socket?.destroy();
      }
      res.write(w.error(midStreamError(route.provider, route.api, ctx)));
      return void res.end();
    }
  }
  for (const s of w.post()) res.write(s);
  res.end();
}
