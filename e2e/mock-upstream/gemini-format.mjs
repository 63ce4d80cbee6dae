// Gemini API wire format (generateContent / streamGenerateContent?alt=sse / models list), as
// @ai-sdk/google parses it. The real API separates SSE events with CRLF pairs; so do we.

const sse = (data) => `data: ${JSON.stringify(data)}\r\n\r\n`;

// Thinking is counted apart from the answer (`thoughtsTokenCount`), from the first chunk on.
const usageMetadata = (u, done) => {
  const thoughts = u.reasoning ?? 0;
  return {
    promptTokenCount: u.input,
    ...(done ? { candidatesTokenCount: u.output - thoughts } : {}),
    totalTokenCount: u.input + (done ? u.output : thoughts),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: u.input }],
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
};

/** A thought part (`thought: true`) is what the model thinks, shown when includeThoughts is on. */
const candidateChunk = (ctx, parts, done) => ({
  candidates: [
    {
      content: { parts, role: "model" },
      ...(done ? { finishReason: "STOP" } : {}),
      index: 0,
    },
  ],
  usageMetadata: usageMetadata(ctx.usage, done),
  modelVersion: ctx.model,
  responseId: ctx.id,
});

/** Streaming writer for POST /v1beta/models/{model}:streamGenerateContent?alt=sse. */
export function geminiStream(ctx) {
  return {
    contentType: "text/event-stream",
    pre: () => [],
    reasoning: (delta) =>
      ctx.includeThoughts ? sse(candidateChunk(ctx, [{ text: delta, thought: true }], false)) : null,
    // The last text frame carries finishReason and the final usage, as the real API does.
    token: (delta, index, count) => sse(candidateChunk(ctx, [{ text: delta }], index === count - 1)),
    post: () => [],
    error: (frame) => sse(frame),
  };
}

export function geminiJson(ctx) {
  const thought = ctx.reasoning && ctx.includeThoughts ? [{ text: ctx.reasoning, thought: true }] : [];
  return candidateChunk(ctx, [...thought, { text: ctx.text }], true);
}

const MODELS = [
  ["gemini-2.5-flash", "Gemini 2.5 Flash"],
  ["gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite"],
  ["gemini-2.5-pro", "Gemini 2.5 Pro"],
];

/** @param {string[] | undefined} ids the list configured for the key (PUT /__mock/models), else the default */
export function geminiModels(ids) {
  const list = ids ? ids.map((id) => [id, MODELS.find((m) => m[0] === id)?.[1] ?? id]) : MODELS;
  return {
    models: list.map(([id, displayName]) => ({
      name: `models/${id}`,
      version: "001",
      displayName,
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: [
        "generateContent",
        "countTokens",
        "createCachedContent",
        "batchGenerateContent",
      ],
    })),
  };
}
