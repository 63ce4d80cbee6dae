// Types for server.mjs, so TypeScript tests can import the mock upstream.

export declare const LEAKY_TEXT: "LEAKY-PROVIDER-TEXT";

export type MockScenario =
  | "ok"
  | "missing-key"
  | "invalid"
  | "forbidden"
  | "quota"
  | "ratelimit"
  | "server-error"
  | "stall"
  | "midfail"
  | "midcut"
  | "slow"
  | "model-denied";

/** Knob words, in the order they are matched against a key (with `-`/`_` ignored). */
export declare const SCENARIOS: readonly Exclude<MockScenario, "ok" | "missing-key">[];

export type MockProvider = "openai" | "groq" | "google" | "compatible";

export type MockRequestLog = {
  id: number;
  method: string;
  /** Path only: the query string (Gemini's ?key=) is never recorded. */
  path: string;
  provider: MockProvider;
  api: "responses" | "chat" | "gemini";
  kind: "generate" | "models";
  model: string | null;
  stream: boolean;
  scenario: MockScenario;
  /** Last 4 characters of the key, never more. */
  keyLast4: string | null;
  /** Whether the request carried an Authorization header at all. */
  authorization: boolean;
  /** Epoch milliseconds. */
  startedAt: number;
  status: number | null;
  /** When the first token (reasoning or text) was written. */
  firstTokenAt: number | null;
  endedAt: number | null;
  /** Answer text frames written. */
  tokensSent: number;
  /** Reasoning frames written (the `reasoning` knob; none where the format hides reasoning). */
  reasoningSent: number;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  abortedAt: number | null;
  /** The mock itself dropped the connection (midcut, stall timeout). */
  serverClosed: boolean;
  /** A generation's JSON request body as the provider received it (null for other requests). */
  body: Record<string, unknown> | null;
  /** A generation's last user message, its last 120 characters (null until the body is read). */
  userText: string | null;
};

export type MockUpstreamOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Time to first token; env MOCK_TTFT_MS; default 0. */
  ttftMs?: number;
  /** Delay between tokens; env MOCK_TOKEN_DELAY_MS; default 0. */
  tokenDelayMs?: number;
  /** Frames per reply (>= 2); env MOCK_TOKENS; default 12. */
  tokens?: number;
  /** TTFT and inter-token delay floor of the `slow` knob; default 250. */
  slowTokenDelayMs?: number;
  /** How long `stall` holds a connection before dropping it; default 120000. */
  stallMs?: number;
  /** Tokens sent before `midfail` / `midcut` strike; default 3. */
  midfailAfter?: number;
  /** Retry-After of the `ratelimit` knob, seconds; default 2. */
  retryAfterSeconds?: number;
};

export type MockUpstream = {
  url: string;
  port: number;
  /** Base URLs to hand to the app: OPENAI_BASE_URL, GROQ_BASE_URL, GOOGLE_GENERATIVE_AI_BASE_URL, compatible. */
  /** `keyless`: an OpenAI-compatible server that takes no key. */
  baseUrls: { openai: string; groq: string; google: string; compatible: string; keyless: string };
  requests(): MockRequestLog[];
  reset(): void;
  /** The model ids the models endpoint lists for exactly this key (null: back to the default list). */
  setModels(key: string, models: string[] | null): void;
  close(): Promise<void>;
};

export declare function startMockUpstream(options?: MockUpstreamOptions): Promise<MockUpstream>;
