// Deterministic replies: "Echo (turn N): <last user text>" plus filler, split into frames.
// N counts the user messages in the request, so turn 2 proves history reached the provider.
// A scripted answer (canned.mjs) replaces the echo when the last user text names one.

import { cannedReply } from "./canned.mjs";

const FILLER = ["This", "is", "a", "deterministic", "mock", "reply", "with", "filler", "words"];
const MAX_ECHO_CHARS = 200;

const textOf = (content) => {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) => (typeof p === "string" ? p : typeof p?.text === "string" ? p.text : ""))
    .filter(Boolean)
    .join(" ");
};

/** Collects user texts from an OpenAI Responses, Chat Completions or Gemini request body. */
export function userTexts(api, body) {
  if (api === "gemini") {
    return (Array.isArray(body?.contents) ? body.contents : [])
      .filter((c) => (c?.role ?? "user") === "user")
      .map((c) => textOf(c?.parts));
  }
  const items = api === "responses" ? body?.input : body?.messages;
  if (typeof items === "string") return [items];
  return (Array.isArray(items) ? items : []).filter((m) => m?.role === "user").map((m) => textOf(m.content));
}

/** Rough token count of everything in the request (words), for the usage numbers. */
export function promptTokenCount(body) {
  const words = JSON.stringify(body ?? {}).match(/[A-Za-z0-9]+/g);
  return Math.max(1, words ? Math.ceil(words.length / 2) : 1);
}

const lastEcho = (texts) => {
  const last = (texts.at(-1) ?? "").replace(/\s+/g, " ").trim();
  return last.length > MAX_ECHO_CHARS ? `${last.slice(0, MAX_ECHO_CHARS)}…` : last;
};

const wordsOf = (sentence) => sentence.split(" ").map((w, i) => (i === 0 ? w : ` ${w}`));

/** Splits words into `tokens` frames (at least 2, at most one word each). */
function toFrames(words, tokens) {
  const count = Math.max(2, Math.min(tokens, words.length));
  const frames = [];
  for (let i = 0; i < count; i++) {
    frames.push(
      words
        .slice(Math.floor((i * words.length) / count), Math.floor(((i + 1) * words.length) / count))
        .join(""),
    );
  }
  return frames;
}

/** A user text with this marker is echoed with the model that answered (tells versions apart). */
export const ECHO_MODEL_MARKER = "[[mock-echo-model]]";

/**
 * @param {string[]} texts user texts in order
 * @param {number} tokens number of frames to produce (>= 2)
 * @param {string} [model] the model asked (echoed when the last text carries ECHO_MODEL_MARKER)
 * @returns {{ frames: string[], text: string, turn: number }}
 */
export function buildReply(texts, tokens, model) {
  const turn = texts.length;
  const canned = cannedReply(texts.at(-1));
  if (canned !== undefined) {
    // Split at spaces, keeping them (and newlines) so the Markdown arrives exactly as written.
    const frames = toFrames(canned.split(/(?<= )/), tokens);
    return { frames, text: frames.join(""), turn };
  }
  const by = model && texts.at(-1)?.includes(ECHO_MODEL_MARKER) ? ` by ${model}` : "";
  const words = wordsOf(`Echo (turn ${turn}${by}): ${lastEcho(texts)}`);
  words.push(" —");
  for (let i = 0; words.length < tokens || i < 3; i++) words.push(` ${FILLER[i % FILLER.length]}`);
  words[words.length - 1] += ".";
  const frames = toFrames(words, tokens);
  return { frames, text: frames.join(""), turn };
}

/**
 * The reasoning ("thinking") a reasoning model sends before its answer, for the `reasoning`
 * knob: deterministic, so tests can compare it.
 * @param {string[]} texts user texts in order
 * @param {number} tokens number of frames to produce (>= 2)
 * @returns {{ frames: string[], text: string }}
 */
export function buildReasoning(texts, tokens) {
  const words = wordsOf(
    `Thinking (turn ${texts.length}): the user wrote "${lastEcho(texts)}"; echo it back.`,
  );
  const frames = toFrames(words, tokens);
  return { frames, text: frames.join("") };
}
