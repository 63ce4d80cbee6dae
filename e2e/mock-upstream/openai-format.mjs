// OpenAI wire formats (Responses API and Chat Completions), as @ai-sdk/openai and @ai-sdk/groq
// parse them. Groq differs only in where streamed usage lives (`x_groq.usage`).

const sse = (data, event) => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;

const responsesUsage = (u) => ({
  input_tokens: u.input,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: u.output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: u.input + u.output,
});

const responseObject = (ctx, status, output, usage) => ({
  id: ctx.id,
  object: "response",
  created_at: ctx.created,
  status,
  error: null,
  incomplete_details: null,
  model: ctx.model,
  output,
  usage,
  store: false,
});

const messageItem = (ctx, status, text) => ({
  id: `msg_${ctx.id}`,
  type: "message",
  status,
  role: "assistant",
  content: text === null ? [] : [{ type: "output_text", text, annotations: [], logprobs: [] }],
});

/** Streaming writer for POST /v1/responses. */
export function responsesStream(ctx) {
  let seq = 0;
  const ev = (type, fields) => sse({ type, sequence_number: seq++, ...fields }, type);
  const itemId = `msg_${ctx.id}`;
  const part = (text) => ({ type: "output_text", text, annotations: [], logprobs: [] });
  return {
    contentType: "text/event-stream; charset=utf-8",
    pre: () => [
      ev("response.created", { response: responseObject(ctx, "in_progress", [], null) }),
      ev("response.in_progress", { response: responseObject(ctx, "in_progress", [], null) }),
      ev("response.output_item.added", { output_index: 0, item: messageItem(ctx, "in_progress", null) }),
      ev("response.content_part.added", {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: part(""),
      }),
    ],
    token: (delta) =>
      ev("response.output_text.delta", {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    post: () => {
      const item = messageItem(ctx, "completed", ctx.text);
      return [
        ev("response.output_text.done", {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          text: ctx.text,
          logprobs: [],
        }),
        ev("response.content_part.done", {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          part: part(ctx.text),
        }),
        ev("response.output_item.done", { output_index: 0, item }),
        ev("response.completed", {
          response: responseObject(ctx, "completed", [item], responsesUsage(ctx.usage)),
        }),
      ];
    },
    error: (frame) => ev("error", frame),
  };
}

export function responsesJson(ctx) {
  return responseObject(
    ctx,
    "completed",
    [messageItem(ctx, "completed", ctx.text)],
    responsesUsage(ctx.usage),
  );
}

const chatUsage = (u) => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
});

/** Streaming writer for POST …/chat/completions (OpenAI, Groq, OpenAI-compatible). */
export function chatStream(ctx, { groq, includeUsage }) {
  const chunk = (choices, extra = {}) => ({
    id: `chatcmpl-${ctx.id}`,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: "fp_mock",
    choices,
    ...extra,
  });
  const choice = (delta, finish = null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  return {
    contentType: "text/event-stream; charset=utf-8",
    pre: () => [
      sse(
        chunk([choice({ role: "assistant", content: "" })], groq ? { x_groq: { id: `req_${ctx.id}` } } : {}),
      ),
    ],
    token: (delta) => sse(chunk([choice({ content: delta })])),
    post: () => {
      const groqUsage = { x_groq: { id: `req_${ctx.id}`, usage: chatUsage(ctx.usage) } };
      const out = [sse(chunk([choice({}, "stop")], groq ? groqUsage : {}))];
      if (!groq && includeUsage) out.push(sse(chunk([], { usage: chatUsage(ctx.usage) })));
      out.push("data: [DONE]\n\n");
      return out;
    },
    error: (frame) => sse(frame),
  };
}

export function chatJson(ctx) {
  return {
    id: `chatcmpl-${ctx.id}`,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: ctx.text, refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: chatUsage(ctx.usage),
    system_fingerprint: "fp_mock",
  };
}

const MODELS = {
  openai: ["gpt-5-mini", "gpt-5", "gpt-5-nano", "gpt-4.1-mini", "gpt-4o-mini"],
  groq: ["llama-3.3-70b-versatile", "llama-3.1-8b-instant", "openai/gpt-oss-20b", "openai/gpt-oss-120b"],
  compatible: ["mock-model", "mock-model-large"],
};

export function openaiModels(provider) {
  const owner = provider === "groq" ? "Groq" : provider === "openai" ? "openai" : "mock";
  return {
    object: "list",
    data: (MODELS[provider] ?? MODELS.compatible).map((id) => ({
      id,
      object: "model",
      created: 1_700_000_000,
      owned_by: owner,
      ...(provider === "groq" ? { active: true, context_window: 131_072 } : {}),
    })),
  };
}
