#!/usr/bin/env node
// Mock model upstream speaking the real wire formats of OpenAI (Responses + Chat Completions),
// Groq (OpenAI-compatible under /openai/v1), any OpenAI-compatible server (any other prefix
// before /chat/completions, e.g. /compat/v1) and Gemini (/v1beta). node:http only, no network.
// Usage: node e2e/mock-upstream/server.mjs --port 4010   |   import { startMockUpstream }.

import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { geminiModels } from "./gemini-format.mjs";
import { openaiModels } from "./openai-format.mjs";
import { buildReply, promptTokenCount, userTexts } from "./reply.mjs";
import { respondWithReply, stall } from "./respond.mjs";
import { errorResponse, LEAKY_TEXT, pickScenario } from "./scenarios.mjs";

export { LEAKY_TEXT, SCENARIOS } from "./scenarios.mjs";

const MAX_LOG = 2000;
const num = (v, d) => (v === undefined || v === null || v === "" || Number.isNaN(Number(v)) ? d : Number(v));

/** Which provider and API a request is for, from its method and path. */
function routeOf(method, pathname, search) {
  const g = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(pathname);
  if (method === "POST" && g) {
    const stream = g[2] === "streamGenerateContent";
    return { provider: "google", api: "gemini", kind: "generate", model: g[1], stream, sseOk: !stream || /(^|[?&])alt=sse(&|$)/.test(search) };
  }
  if (method === "GET" && pathname === "/v1beta/models") return { provider: "google", api: "gemini", kind: "models" };
  const m = /^(.*)\/(responses|chat\/completions|models)$/.exec(pathname);
  if (!m) return null;
  const provider = m[1] === "/v1" ? "openai" : m[1] === "/openai/v1" ? "groq" : "compatible";
  if (method === "GET" && m[2] === "models") return { provider, api: "chat", kind: "models" };
  if (method === "POST" && m[2] === "chat/completions") return { provider, api: "chat", kind: "generate" };
  if (method === "POST" && m[2] === "responses" && provider !== "groq") return { provider, api: "responses", kind: "generate" };
  return null;
}

function keyOf(req, route, url) {
  if (route.provider === "google") return req.headers["x-goog-api-key"] || url.searchParams.get("key") || null;
  const auth = req.headers.authorization ?? "";
  return auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() || null : null;
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 5_000_000) throw new Error("too large");
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : {};
}

const sendJson = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

/**
 * @param {{ port?: number, host?: string, ttftMs?: number, tokenDelayMs?: number, tokens?: number,
 *   slowTokenDelayMs?: number, stallMs?: number, midfailAfter?: number, retryAfterSeconds?: number }} [options]
 */
export function startMockUpstream(options = {}) {
  const env = process.env;
  const defaults = {
    ttftMs: num(options.ttftMs, num(env.MOCK_TTFT_MS, 0)),
    tokenDelayMs: num(options.tokenDelayMs, num(env.MOCK_TOKEN_DELAY_MS, 0)),
    tokens: Math.max(2, num(options.tokens, num(env.MOCK_TOKENS, 12))),
    slowTokenDelayMs: num(options.slowTokenDelayMs, 250),
    stallMs: num(options.stallMs, 120_000),
    midfailAfter: Math.max(1, num(options.midfailAfter, 3)),
    retryAfterSeconds: num(options.retryAfterSeconds, 2),
  };
  let log = [];
  let seq = 0;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    if (url.pathname === "/__mock/requests" && req.method === "GET") return sendJson(res, 200, { requests: log });
    if (url.pathname === "/__mock/reset" && req.method === "POST") {
      log = [];
      return void res.writeHead(204).end();
    }
    if (url.pathname === "/__mock/health") return sendJson(res, 200, { ok: true });

    const route = routeOf(req.method, url.pathname, url.search);
    if (!route) return sendJson(res, 404, { error: { message: `${LEAKY_TEXT}: unknown route`, type: "invalid_request_error", code: "unknown_url" } });
    const key = keyOf(req, route, url);
    const scenario = key ? pickScenario(key, req.headers["x-mock-scenario"]) : "missing-key";
    // Never log the key or the query string (Gemini allows ?key=): last 4 characters only.
    const entry = {
      id: ++seq, method: req.method, path: url.pathname, provider: route.provider, api: route.api, kind: route.kind,
      model: route.model ?? null, stream: false, scenario, keyLast4: key ? key.slice(-4) : null,
      startedAt: Date.now(), status: null, firstTokenAt: null, endedAt: null, tokensSent: 0,
      aborted: false, abortedAt: null, serverClosed: false,
    };
    log.push(entry);
    if (log.length > MAX_LOG) log.shift();
    const ac = new AbortController();
    res.on("close", () => {
      entry.endedAt = Date.now();
      if (!res.writableFinished && !entry.serverClosed) {
        entry.aborted = true;
        entry.abortedAt = entry.endedAt;
      }
      ac.abort();
    });
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = (status, ...rest) => ((entry.status = status), origWriteHead(status, ...rest));

    let body = {};
    try {
      body = route.kind === "generate" ? await readJson(req) : {};
    } catch {
      return sendJson(res, 400, { error: { message: `${LEAKY_TEXT}: invalid JSON body`, type: "invalid_request_error", code: null } });
    }
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
    if (scenario === "slow") {
      timing.ttftMs = Math.max(timing.ttftMs, defaults.slowTokenDelayMs);
      timing.tokenDelayMs = Math.max(timing.tokenDelayMs, defaults.slowTokenDelayMs);
    }
    const ctx = { key, model: route.model ?? "unknown", retryAfter: defaults.retryAfterSeconds };
    const fail = (s) => {
      const e = errorResponse(route.provider, s, ctx);
      sendJson(res, e.status, e.body, e.headers);
    };

    if (scenario === "stall") return stall(res, entry, ac.signal, defaults.stallMs, entry.stream);
    const alwaysFails = ["missing-key", "invalid", "forbidden", "ratelimit", "server-error"];
    if (alwaysFails.includes(scenario)) return fail(scenario);
    if (route.kind === "models") {
      return sendJson(res, 200, route.provider === "google" ? geminiModels() : openaiModels(route.provider));
    }
    if (scenario === "quota" || scenario === "model-denied") return fail(scenario);
    if (scenario === "midfail" && !route.stream) return fail("server-error");
    if (route.sseOk === false) return sendJson(res, 400, { error: { code: 400, message: `${LEAKY_TEXT}: mock supports alt=sse only`, status: "INVALID_ARGUMENT" } });

    const tokens = Math.max(2, num(h["x-mock-tokens"], defaults.tokens));
    const reply = buildReply(userTexts(route.api, body), tokens);
    const input = promptTokenCount(body);
    const genCtx = { ...ctx, id: `mock${entry.id}`, created: Math.floor(entry.startedAt / 1000), usage: { input, output: reply.frames.length } };
    await respondWithReply({ res, route, body, entry, signal: ac.signal, ctx: genCtx, reply, scenario, timing });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(num(options.port, 0), options.host ?? "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
      resolve({
        url,
        port,
        baseUrls: { openai: `${url}/v1`, groq: `${url}/openai/v1`, google: `${url}/v1beta`, compatible: `${url}/compat/v1` },
        requests: () => log.map((e) => ({ ...e })),
        reset: () => void (log = []),
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const mock = await startMockUpstream({ port: num(arg("port"), num(process.env.MOCK_PORT, 4010)), host: arg("host") });
  console.log(`Mock upstream listening on ${mock.url}`);
  console.log(`  OPENAI_BASE_URL=${mock.baseUrls.openai}\n  GROQ_BASE_URL=${mock.baseUrls.groq}`);
  console.log(`  GOOGLE_GENERATIVE_AI_BASE_URL=${mock.baseUrls.google}\n  compatible base URL: ${mock.baseUrls.compatible}`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
