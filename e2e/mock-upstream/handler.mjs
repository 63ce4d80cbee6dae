// Handles one request: route it, pick the scenario from the key, log it, then answer or fail
// the way the real provider does.

import { geminiModels } from "./gemini-format.mjs";
import { openaiModels } from "./openai-format.mjs";
import { buildReasoning, buildReply, promptTokenCount, userTexts } from "./reply.mjs";
import { respondWithReply, stall } from "./respond.mjs";
import { keyOf, num, readJson, routeOf, sendJson } from "./routes.mjs";
import { errorResponse, LEAKY_TEXT, pickScenario, wantsReasoning } from "./scenarios.mjs";

const MAX_LOG = 2000;
/** Fail on every endpoint, the models list included (what a key test meets first). */
const ALWAYS_FAIL = ["missing-key", "invalid", "forbidden", "ratelimit", "server-error", "overloaded"];

/** Log entry; never the key or the query string (Gemini allows ?key=): last 4 characters only. */
function newEntry(log, req, url, route, key, scenario) {
  const entry = {
    id: ++log.seq,
    method: req.method,
    path: url.pathname,
    provider: route.provider,
    api: route.api,
    kind: route.kind,
    model: route.model ?? null,
    stream: false,
    scenario,
    keyLast4: key ? key.slice(-4) : null,
    /** Whether any Authorization header came (a keyless client must send none). */
    authorization: req.headers.authorization !== undefined,
    startedAt: Date.now(),
    status: null,
    firstTokenAt: null,
    endedAt: null,
    tokensSent: 0,
    reasoningSent: 0,
    aborted: false,
    abortedAt: null,
    serverClosed: false,
    body: null,
    userText: null,
  };
  log.entries.push(entry);
  if (log.entries.length > MAX_LOG) log.entries.shift();
  return entry;
}

/** Records the status and whether the client left before the response was complete. */
function watch(res, entry, ac) {
  res.on("close", () => {
    entry.endedAt = Date.now();
    if (!res.writableFinished && !entry.serverClosed) {
      entry.aborted = true;
      entry.abortedAt = entry.endedAt;
    }
    ac.abort();
  });
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, ...rest) => {
    entry.status = status;
    return writeHead(status, ...rest);
  };
}

/** @param {{ entries: object[], seq: number }} log */
export function createHandler(defaults, log, modelLists = new Map()) {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    if (url.pathname === "/__mock/requests" && req.method === "GET") {
      return sendJson(res, 200, { requests: log.entries });
    }
    if (url.pathname === "/__mock/reset" && req.method === "POST") {
      log.entries = [];
      return void res.writeHead(204).end();
    }
    // The models list a key gets (each provider's wire format): { key, models: string[] | null }.
    if (url.pathname === "/__mock/models" && req.method === "PUT") {
      try {
        const { key: k, models } = await readJson(req);
        if (typeof k !== "string" || !(models === null || Array.isArray(models))) throw new Error("bad body");
        if (models === null) modelLists.delete(k);
        else modelLists.set(k, models.map(String));
        return void res.writeHead(204).end();
      } catch {
        return sendJson(res, 400, { error: { message: "expected { key, models }" } });
      }
    }
    if (url.pathname === "/__mock/health") return sendJson(res, 200, { ok: true });

    const route = routeOf(req.method, url.pathname, url.search);
    if (!route) {
      const error = {
        message: `${LEAKY_TEXT}: unknown route`,
        type: "invalid_request_error",
        code: "unknown_url",
      };
      return sendJson(res, 404, { error });
    }
    const key = keyOf(req, route, url);
    // Under /keyless/… the mock is a local server that takes no key (Ollama, LM Studio, vLLM).
    const keyless = route.provider === "compatible" && url.pathname.startsWith("/keyless/");
    const scenario = key
      ? pickScenario(key, req.headers["x-mock-scenario"])
      : keyless
        ? pickScenario("", req.headers["x-mock-scenario"])
        : "missing-key";
    const entry = newEntry(log, req, url, route, key, scenario);
    const ac = new AbortController();
    watch(res, entry, ac);

    let body = {};
    try {
      body = route.kind === "generate" ? await readJson(req) : {};
    } catch {
      const error = {
        message: `${LEAKY_TEXT}: invalid JSON body`,
        type: "invalid_request_error",
        code: null,
      };
      return sendJson(res, 400, { error });
    }
    // The request as it arrived (generations only; no key in it: keys travel in headers), so
    // tests can check what the app sent in each provider's wire format (system prompt, params).
    if (route.kind === "generate") entry.body = body;
    if (route.provider !== "google") route.model = typeof body.model === "string" ? body.model : null;
    route.stream = route.stream ?? body.stream === true;
    entry.model = route.model ?? null;
    entry.stream = route.kind === "generate" && route.stream;

    const h = req.headers;
    const timing = {
      ttftMs: num(h["x-mock-ttft-ms"], defaults.ttftMs),
      tokenDelayMs: num(h["x-mock-token-delay-ms"], defaults.tokenDelayMs),
      midfailAfter: defaults.midfailAfter,
    };
    if (scenario === "slow" || scenario === "long-slow") {
      timing.ttftMs = Math.max(timing.ttftMs, defaults.slowTokenDelayMs);
      timing.tokenDelayMs = Math.max(timing.tokenDelayMs, defaults.slowTokenDelayMs);
    }
    const ctx = { key, model: route.model ?? "unknown", retryAfter: defaults.retryAfterSeconds };
    const fail = (s) => {
      const e = errorResponse(route.provider, s, ctx);
      sendJson(res, e.status, e.body, e.headers);
    };

    if (scenario === "stall") return stall(res, entry, ac.signal, defaults.stallMs, entry.stream);
    if (ALWAYS_FAIL.includes(scenario)) return fail(scenario);
    if (route.kind === "models") {
      const ids = modelLists.get(key);
      return sendJson(
        res,
        200,
        route.provider === "google" ? geminiModels(ids) : openaiModels(route.provider, ids),
      );
    }
    // A models list works for a key without credit or model access; only a generation fails.
    if (scenario === "quota" || scenario === "model-denied") return fail(scenario);
    if (scenario === "midfail" && !route.stream) return fail("server-error");
    if (route.sseOk === false) {
      const error = {
        code: 400,
        message: `${LEAKY_TEXT}: mock supports alt=sse only`,
        status: "INVALID_ARGUMENT",
      };
      return sendJson(res, 400, { error });
    }

    const texts = userTexts(route.api, body);
    // The message being answered (its end: a merged turn ends with it): lets a test count provider calls per message.
    entry.userText = String(texts.at(-1) ?? "").slice(-120);
    const tokens = Math.max(2, num(h["x-mock-tokens"], defaults.tokens)) * (scenario === "long-slow" ? 8 : 1);
    const reply = buildReply(texts, tokens, route.model ?? undefined);
    const reasoning = wantsReasoning(key, h["x-mock-reasoning"])
      ? buildReasoning(texts, Math.ceil(tokens / 2))
      : null;
    // Output tokens include the reasoning tokens, as every provider bills them.
    const thought = reasoning?.frames.length ?? 0;
    const usage = {
      input: promptTokenCount(body),
      output: reply.frames.length + thought,
      reasoning: thought,
    };
    const genCtx = { ...ctx, id: `mock${entry.id}`, created: Math.floor(entry.startedAt / 1000), usage };
    await respondWithReply({
      res,
      route,
      body,
      entry,
      signal: ac.signal,
      ctx: genCtx,
      reply,
      reasoning,
      scenario,
      timing,
    });
  };
}
