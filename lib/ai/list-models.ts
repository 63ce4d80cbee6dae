import "server-only";
import { userUrlFetch } from "@/lib/net/dispatcher";
import { classifyHttp, type Failure } from "./classify";
import { classifyError } from "./errors";
import { providerBaseUrl } from "./model";
import { PROVIDERS, type ProviderId } from "./registry";

// The models a key may use, from the provider's own models endpoint (OpenAI GET /v1/models,
// Groq GET /openai/v1/models, Gemini GET /v1beta/models, an OpenAI-compatible {base}/models).
// Only chat models are kept: OpenAI lists embeddings, speech and image models under the same
// key, Gemini lists embedding models, Groq lists Whisper.

export type ListedModel = { id: string; label?: string };
export type ListModelsResult = { ok: true; models: ListedModel[] } | { ok: false; failure: Failure };

export type ListModelsInput = {
  provider: ProviderId;
  apiKey: string;
  /** `compatible` only; must already have passed lib/keys' checkBaseUrl. */
  baseUrl?: string;
  signal?: AbortSignal;
  /** For a user-supplied base URL; defaults to lib/net's guarded fetch. */
  fetch?: typeof fetch;
};

export const MAX_LISTED_MODELS = 1000;
const MAX_BODY_BYTES = 16 * 1024 * 1024; // OpenRouter's list is several megabytes
const LIST_TIMEOUT_MS = 10_000;
const NOT_CHAT = /(embed|whisper|tts|dall-e|davinci|babbage|moderation|transcribe|image|sora|guard|aqa)/i;

type OpenAiList = { data?: { id?: unknown; active?: unknown }[] };
type GeminiList = {
  models?: { name?: unknown; displayName?: unknown; supportedGenerationMethods?: unknown }[];
  nextPageToken?: unknown;
};

function parseOpenAi(body: OpenAiList, provider: ProviderId): ListedModel[] | null {
  if (!Array.isArray(body?.data)) return null;
  return body.data.flatMap((m) => {
    if (typeof m?.id !== "string" || !m.id || m.id.length > 200) return [];
    if (m.active === false) return []; // Groq marks retired models inactive
    // A compatible server (Ollama, vLLM) serves what the user loaded: keep every id it lists.
    if (provider !== "compatible" && NOT_CHAT.test(m.id)) return [];
    return [{ id: m.id }];
  });
}

function parseGemini(body: GeminiList): ListedModel[] | null {
  if (!Array.isArray(body?.models)) return null;
  return body.models.flatMap((m) => {
    const methods = Array.isArray(m?.supportedGenerationMethods) ? m.supportedGenerationMethods : [];
    if (typeof m?.name !== "string" || !methods.includes("generateContent")) return [];
    const id = m.name.replace(/^models\//, "");
    if (!id || id.length > 200 || NOT_CHAT.test(id)) return [];
    return [{ id, ...(typeof m.displayName === "string" ? { label: m.displayName.slice(0, 120) } : {}) }];
  });
}

async function readCapped(res: Response): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new Error("model list too large");
  const text = await res.text();
  if (text.length > MAX_BODY_BYTES) throw new Error("model list too large");
  return text;
}

/** Where a key's models list is and how it authenticates: shared by the list and "Test key". */
type ModelsRequest = Pick<ListModelsInput, "provider" | "apiKey" | "baseUrl" | "fetch">;

/**
 * One GET {base}/models{query} with the key, its body read up to 16 MB. A user-supplied base URL
 * connects only through the SSRF guard; keyless local servers (Ollama, LM Studio) get no
 * Authorization header at all; redirects are refused (they would carry the key elsewhere).
 */
export async function getModelsPage(
  input: ModelsRequest,
  query: string,
  signal: AbortSignal,
): Promise<{ res: Response; text: string }> {
  const base = providerBaseUrl(input.provider, input.baseUrl);
  const key = input.apiKey.trim();
  const headers: Record<string, string> = !key
    ? {}
    : input.provider === "google"
      ? { "x-goog-api-key": key }
      : { authorization: `Bearer ${key}` };
  const get = PROVIDERS[input.provider].requiresBaseUrl ? (input.fetch ?? userUrlFetch) : fetch;
  const res = await get(`${base}/models${query}`, { headers, signal, redirect: "error" });
  return { res, text: await readCapped(res) };
}

export async function listProviderModels(input: ListModelsInput): Promise<ListModelsResult> {
  const google = input.provider === "google";
  const deadline = AbortSignal.timeout(LIST_TIMEOUT_MS);
  const signal = input.signal ? AbortSignal.any([deadline, input.signal]) : deadline;
  const models: ListedModel[] = [];
  let pageToken: string | undefined;
  try {
    // Gemini pages its list (1000 per page at most); the others answer in one response.
    for (let page = 0; page < 5; page++) {
      const q = google
        ? `?pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`
        : "";
      const { res, text } = await getModelsPage(input, q, signal);
      if (!res.ok)
        return { ok: false, failure: classifyHttp(res.status, Object.fromEntries(res.headers), text) };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { ok: false, failure: { kind: "unavailable" } };
      }
      const parsed = google
        ? parseGemini(body as GeminiList)
        : parseOpenAi(body as OpenAiList, input.provider);
      // A 200 that is not a model list (a web page, a proxy's login form) means a wrong base URL.
      if (!parsed) return { ok: false, failure: { kind: "unavailable" } };
      models.push(...parsed);
      const next = google ? (body as GeminiList).nextPageToken : undefined;
      if (typeof next !== "string" || !next || models.length >= MAX_LISTED_MODELS) break;
      pageToken = next;
    }
  } catch (e) {
    return { ok: false, failure: classifyError(e) };
  }
  const seen = new Set<string>();
  const unique = models.filter((m) => !seen.has(m.id) && seen.add(m.id));
  unique.sort((a, b) => a.id.localeCompare(b.id));
  return { ok: true, models: unique.slice(0, MAX_LISTED_MODELS) };
}
