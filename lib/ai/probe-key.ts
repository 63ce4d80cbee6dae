import "server-only";
import { streamText } from "ai";
import { classifyHttp, type Failure } from "./classify";
import { classifyError } from "./errors";
import { getModelsPage } from "./list-models";
import { createLanguageModel } from "./model";
import { PROVIDERS, type ProviderId } from "./registry";
import { type Verdict, type VerdictContext, verdictFor } from "./verdict";

// "Test key" makes two real, minimal calls, both under one deadline:
// 1. GET {base}/models — free, and proves the key authenticates (401/403/400 API_KEY_INVALID).
// 2. If that passes, a streamed generation of at most 16 tokens on the provider's default model
//    (or the given model), read only until its first token. A models list succeeds for a key
//    with no credit (OpenAI) or an exhausted free tier (Gemini), and says nothing about access
//    to the model; only a generation shows quota, billing and model access. It costs a few
//    tokens on the user's key, which the settings page should say.
// `compatible` without a model id stops after step 1.

export type KeyTestResult =
  | "valid"
  | "invalid_key"
  | "no_credit"
  | "rate_limited"
  | "model_not_allowed"
  | "unreachable";

export type KeyTestOutcome = {
  result: KeyTestResult;
  ms: number;
  retryAfter?: number;
  /** What failed, in the words, code and action the chat uses for the same answer (lib/ai/verdict.ts). */
  verdict?: Verdict;
};

export type KeyTestInput = {
  provider: ProviderId;
  apiKey: string;
  /** `compatible` only; must already have passed lib/keys' checkBaseUrl. */
  baseUrl?: string;
  /** Model for the generation probe; defaults to the provider's default model. */
  modelId?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For a user-supplied base URL; defaults to lib/net's guarded fetch (see model.ts). */
  fetch?: typeof fetch;
};

export const KEY_TEST_TIMEOUT_MS = 10_000;
const PROBE_PROMPT = "Reply with the single word OK.";

type Judged = Omit<KeyTestOutcome, "ms">;

function toResult(f: Failure, step: "models" | "probe", ctx: VerdictContext): Judged {
  // A generation refused for its shape was judged after the key authenticated: the key works.
  if (f.kind === "bad_request" && step === "probe") return { result: "valid" };
  // On the models list, "model" and "bad request" answers mean no provider API lives there.
  const failure: Failure =
    step === "models" && (f.kind === "model_not_allowed" || f.kind === "bad_request")
      ? { kind: "unavailable", ...(f.status !== undefined ? { status: f.status } : {}) }
      : f;
  const verdict = verdictFor(failure, ctx);
  const judged = (result: KeyTestResult): Judged => ({
    result,
    verdict,
    ...(verdict.retryAfter ? { retryAfter: verdict.retryAfter } : {}),
  });
  switch (failure.kind) {
    case "invalid_key":
    case "forbidden":
    case "key_missing":
      return judged("invalid_key");
    case "no_credit":
      return judged("no_credit");
    case "rate_limited":
      return judged("rate_limited");
    case "model_not_allowed":
      return judged("model_not_allowed");
    default:
      return judged("unreachable");
  }
}

/** OpenAI-style `{ data: [...] }` or Gemini `{ models: [...] }`; OpenRouter's list is megabytes. */
function isModelList(body: string): boolean {
  try {
    const list = JSON.parse(body) as { data?: unknown; models?: unknown } | null;
    return Array.isArray(list?.data) || Array.isArray(list?.models);
  } catch {
    return false;
  }
}

async function listModels(input: KeyTestInput, signal: AbortSignal): Promise<Failure | null> {
  try {
    const { res, text } = await getModelsPage(
      input,
      input.provider === "google" ? "?pageSize=1" : "",
      signal,
    );
    if (!res.ok) return classifyHttp(res.status, Object.fromEntries(res.headers), text);
    // A 200 that is not a model list (a web page, a proxy's login form) means a wrong base URL.
    return isModelList(text) ? null : { kind: "unavailable" };
  } catch (e) {
    return classifyError(e);
  }
}

async function probe(input: KeyTestInput, modelId: string, signal: AbortSignal): Promise<Failure | null> {
  const stop = new AbortController();
  const model = createLanguageModel({
    provider: input.provider,
    apiKey: input.apiKey,
    baseUrl: input.baseUrl,
    modelId,
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const result = streamText({
    model,
    prompt: PROBE_PROMPT,
    maxOutputTokens: 16,
    maxRetries: 0,
    abortSignal: AbortSignal.any([signal, stop.signal]),
    // The default handler console.logs the whole error: provider text, request body, URL.
    onError: () => {},
  });
  try {
    for await (const part of result.fullStream) {
      if (part.type === "error") return classifyError(part.error);
      if (part.type === "abort") return signal.reason ? classifyError(signal.reason) : { kind: "aborted" };
      if (part.type === "text-delta" || part.type === "reasoning-delta" || part.type === "finish")
        return null;
    }
    return null;
  } catch (e) {
    return classifyError(e);
  } finally {
    stop.abort(); // one token is proof enough; stop paying for the rest
  }
}

export async function probeProviderKey(input: KeyTestInput): Promise<KeyTestOutcome> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(input.timeoutMs ?? KEY_TEST_TIMEOUT_MS);
  const signal = input.signal ? AbortSignal.any([deadline, input.signal]) : deadline;
  const done = (r: Omit<KeyTestOutcome, "ms">): KeyTestOutcome => ({
    ...r,
    ms: Math.round(performance.now() - started),
  });
  const ctx: VerdictContext = { userBaseUrl: PROVIDERS[input.provider].requiresBaseUrl };
  // Only an OpenAI-compatible endpoint may be tested without a key (a keyless local server).
  if (!input.apiKey?.trim() && input.provider !== "compatible")
    return done({ result: "invalid_key", verdict: verdictFor({ kind: "key_missing" }, ctx) });

  const listed = await listModels(input, signal);
  if (listed) return done(toResult(listed, "models", ctx));
  const modelId = input.modelId?.trim() || PROVIDERS[input.provider].defaultModel;
  if (!modelId) return done({ result: "valid" });
  const probed = await probe(input, modelId, signal);
  return done(probed ? toResult(probed, "probe", ctx) : { result: "valid" });
}
