// Gemini API wire format (generateContent / streamGenerateContent?alt=sse / models list), as
// @ai-sdk/google parses it. The real API separates SSE events with CRLF pairs; so do we.

const sse = (data) => `data: ${JSON.stringify(data)}\r\n\r\n`;

const usageMetadata = (u, done) => ({
  promptTokenCount: u.input,
  ...(done ? { candidatesTokenCount: u.output } : {}),
  totalTokenCount: u.input + (done ? u.output : 0),
  promptTokensDetails: [{ modality: "TEXT", tokenCount: u.input }],
});

const candidateChunk = (ctx, text, done) => ({
  candidates: [
    {
      content: { parts: [{ text }], role: "model" },
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
    // The last text frame carries finishReason and the final usage, as the real API does.
    token: (delta, index, count) => sse(candidateChunk(ctx, delta, index === count - 1)),
    post: () => [],
    error: (frame) => sse(frame),
  };
}

export function geminiJson(ctx) {
  return candidateChunk(ctx, ctx.text, true);
}

const MODELS = [
  ["gemini-2.5-flash", "Gemini 2.5 Flash"],
  ["gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite"],
  ["gemini-2.5-pro", "Gemini 2.5 Pro"],
];

export function geminiModels() {
  return {
    models: MODELS.map(([id, displayName]) => ({
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
