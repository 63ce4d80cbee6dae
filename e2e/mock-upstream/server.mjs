#!/usr/bin/env node
// Mock model upstream speaking the real wire formats of OpenAI (Responses + Chat Completions),
// Groq (OpenAI-compatible under /openai/v1), any OpenAI-compatible server (any other prefix
// before /chat/completions, e.g. /compat/v1) and Gemini (/v1beta). node:http only, no network.
// Usage: node e2e/mock-upstream/server.mjs --port 4010   |   import { startMockUpstream }.
// Knobs and their wire behaviour: see scenarios.mjs and the README section of the report.

import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createHandler } from "./handler.mjs";
import { num } from "./routes.mjs";

export { LEAKY_TEXT, SCENARIOS } from "./scenarios.mjs";

/** Options win over MOCK_* environment variables, which win over the defaults. */
function resolveDefaults(options) {
  const env = process.env;
  return {
    ttftMs: num(options.ttftMs, num(env.MOCK_TTFT_MS, 0)),
    tokenDelayMs: num(options.tokenDelayMs, num(env.MOCK_TOKEN_DELAY_MS, 0)),
    tokens: Math.max(2, num(options.tokens, num(env.MOCK_TOKENS, 12))),
    slowTokenDelayMs: num(options.slowTokenDelayMs, 250),
    stallMs: num(options.stallMs, 120_000),
    midfailAfter: Math.max(1, num(options.midfailAfter, 3)),
    retryAfterSeconds: num(options.retryAfterSeconds, 2),
  };
}

/** @param {import("./server.d.mts").MockUpstreamOptions} [options] */
export function startMockUpstream(options = {}) {
  const log = { entries: [], seq: 0 };
  /** key → model ids its models endpoint lists (default: the mock's fixed lists) */
  const modelLists = new Map();
  const server = createServer(createHandler(resolveDefaults(options), log, modelLists));
  const host = options.host ?? "127.0.0.1";

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(num(options.port, 0), host, () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      const url = `http://${host}:${port}`;
      resolve({
        url,
        port,
        baseUrls: {
          openai: `${url}/v1`,
          groq: `${url}/openai/v1`,
          google: `${url}/v1beta`,
          compatible: `${url}/compat/v1`,
          keyless: `${url}/keyless/v1`,
        },
        requests: () => log.entries.map((e) => ({ ...e })),
        reset: () => {
          log.entries = [];
        },
        setModels: (key, models) => {
          if (models === null) modelLists.delete(key);
          else modelLists.set(key, [...models]);
        },
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections(); // stalled streams would hold close() forever
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
  const mock = await startMockUpstream({
    port: num(arg("port"), num(process.env.MOCK_PORT, 4010)),
    host: arg("host"),
  });
  console.log(`Mock upstream listening on ${mock.url}`);
  console.log(`  OPENAI_BASE_URL=${mock.baseUrls.openai}`);
  console.log(`  GROQ_BASE_URL=${mock.baseUrls.groq}`);
  console.log(`  GOOGLE_GENERATIVE_AI_BASE_URL=${mock.baseUrls.google}`);
  console.log(`  compatible base URL: ${mock.baseUrls.compatible}`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
