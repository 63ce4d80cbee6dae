// OpenAI wire formats (Responses API and Chat Completions), as @ai-sdk/openai and @ai-sdk/groq
// parse them. Groq differs in where streamed usage lives (`x_groq.usage`) and in streaming a
// reasoning model's reasoning as `delta.reasoning`; the Responses API streams it as a reasoning
// item's summary; OpenAI's Chat Completions never shows it (only its token count).

const sse = (data, event) => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;

const responsesUsage = (u) => ({
  input_tokens: u.input,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: u.output,
  output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
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

/** The reasoning item before the message; its encrypted content only when the request included it. */
const reasoningItem = (ctx, summary) => ({
  id: `rs_${ctx.id}`,
  type: "reasoning",
  summary: summary === null ? [] : [{ type: "summary_text", text: summary }],
  ...(summary !== null && ctx.encryptedReasoning ? { encrypted_content: `gAAAAmock${ctx.id}` } : {}),
});

const outputItems = (ctx) => [
  ...(ctx.reasoning ? [reasoningItem(ctx, ctx.reasoning)] : []),
  messageItem(ctx, "completed", ctx.text),
];

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
  const reasoningId = `rs_${ctx.id}`;
  // With reasoning the message is the second output item.
  const msgIndex = ctx.reasoning ? 1 : 0;
  const part = (text) => ({ type: "output_text", text, annotations: [], logprobs: [] });
  const summaryPart = (text) => ({ type: "summary_text", text });
  const summaryAt = { item_id: reasoningId, output_index: 0, summary_index: 0 };
  const openMessage = () => [
    ev("response.output_item.added", {
      output_index: msgIndex,
      item: messageItem(ctx, "in_progress", null),
    }),
    ev("response.content_part.added", {
      item_id: itemId,
      output_index: msgIndex,
      content_index: 0,
      part: part(""),
    }),
  ];
  const created = () => [
    ev("response.created", { response: responseObject(ctx, "in_progress", [], null) }),
    ev("response.in_progress", { response: responseObject(ctx, "in_progress", [], null) }),
  ];
  return {
    contentType: "text/event-stream; charset=utf-8",
    pre: () =>
      ctx.reasoning
        ? [
            ...created(),
            ev("response.output_item.added", { output_index: 0, item: reasoningItem(ctx, null) }),
            ev("response.reasoning_summary_part.added", { ...summaryAt, part: summaryPart("") }),
          ]
        : [...created(), ...openMessage()],
    // The last summary frame closes the reasoning item and opens the message.
    reasoning: (delta, index, count) =>
      ev("response.reasoning_summary_text.delta", { ...summaryAt, delta }) +
      (index === count - 1
        ? [
            ev("response.reasoning_summary_text.done", { ...summaryAt, text: ctx.reasoning }),
            ev("response.reasoning_summary_part.done", { ...summaryAt, part: summaryPart(ctx.reasoning) }),
            ev("response.output_item.done", { output_index: 0, item: reasoningItem(ctx, ctx.reasoning) }),
            ...openMessage(),
          ].join("")
        : ""),
    token: (delta) =>
      ev("response.output_text.delta", {
        item_id: itemId,
        output_index: msgIndex,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    post: () => {
      const item = messageItem(ctx, "completed", ctx.text);
      return [
        ev("response.output_text.done", {
          item_id: itemId,
          output_index: msgIndex,
          content_index: 0,
          text: ctx.text,
          logprobs: [],
        }),
        ev("response.content_part.done", {
          item_id: itemId,
          output_index: msgIndex,
          content_index: 0,
          part: part(ctx.text),
        }),
        ev("response.output_item.done", { output_index: msgIndex, item }),
        ev("response.completed", {
          response: responseObject(ctx, "completed", outputItems(ctx), responsesUsage(ctx.usage)),
        }),
      ];
    },
    error: (frame) => ev("error", frame),
  };
}

export function responsesJson(ctx) {
  return responseObject(ctx, "completed", outputItems(ctx), responsesUsage(ctx.usage));
}

const chatUsage = (u) => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
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
    // Only Groq shows the reasoning; OpenAI's Chat Completions keeps it hidden (null: nothing sent).
    reasoning: (delta) => (groq ? sse(chunk([choice({ reasoning: delta })])) : null),
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

export function chatJson(ctx, { groq } = { groq: false }) {
  return {
    id: `chatcmpl-${ctx.id}`,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: ctx.text,
          ...(groq && ctx.reasoning ? { reasoning: ctx.reasoning } : {}),
          refusal: null,
        },
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

/** @param {string[] | undefined} ids the list configured for the key (PUT /__mock/models), else the default */
export function openaiModels(provider, ids) {
  const owner = provider === "groq" ? "Groq" : provider === "openai" ? "openai" : "mock";
  return {
    object: "list",
    data: (ids ?? MODELS[provider] ?? MODELS.compatible).map((id) => ({
      id,
      object: "model",
      created: 1_700_000_000,
      owned_by: owner,
      ...(provider === "groq" ? { active: true, context_window: 131_072 } : {}),
    })),
  };
}
