import { readFileSync } from "node:fs";
import { samplePath } from "../../test/manifest";
import { expect, test } from "../fixtures";
import { findLeaks, recordResponses, secretWindows } from "../leaks";
import { ApiTokensSection } from "../pages/api-tokens-section";
import { serverLogPath } from "../server-log.mjs";
import { call, chatTurn, FULL, manifest, person, saveKey, uid } from "./world";

// Canary keys (unique strings) for every provider go in through the API; then chat turns, key
// tests and provider errors run on them, and every page of the manifest (HTML, and the RSC
// payload a client navigation fetches), every GET route handler, the SSE streams, the error
// bodies and the server log are scanned for any 10-character window of a key past its public
// prefix (e2e/leaks.ts; key-custody.spec.ts covers the settings UI flows). FULL_FUZZ=1 also tests
// a typed key for every failure scenario of the mock upstream. Personal API tokens are canaries
// too: one is made in AI settings (in a second tab of the same browser: the one answer that
// legitimately carries it is not scanned), used on /v1 (a stream, a JSON answer, the model list,
// refusals echoing it), and must then appear nowhere — not in the settings page that lists it,
// not in any /v1 answer, not in the server log.

const tag = uid("");
// The mock upstream picks its behaviour from words in the key (e2e/mock-upstream/scenarios.mjs).
const SAVED = {
  openai: { key: `sk-proj-CANARYopenai${tag}okAAAA`, prefix: 8 },
  groq: { key: `gsk_CANARYgroq${tag}invalidBBBB`, prefix: 4 },
  google: { key: `AIzaCANARYgoogle${tag}midfailCCCC`, prefix: 4 },
  compatible: { key: `sk-CANARYcompat${tag}servererrorDDDD`, prefix: 3 },
} as const;
const TYPED_SCENARIOS = FULL
  ? ["invalid", "forbidden", "quota", "ratelimit", "server-error", "model-denied", "missing-key"]
  : ["invalid", "quota"];
/** A model id the schema refuses, so the request body (carrying the token) is echoed nowhere. */
const MODEL_ECHO = 42;
const typed = TYPED_SCENARIOS.map((s) => ({ key: `sk-proj-CANARYtyped${s}${tag}EEEE`, prefix: 8 }));

test("canary scan: no key or API token text in any page, RSC payload, API body, SSE stream, error or log line", async ({
  browser,
}) => {
  test.setTimeout(FULL ? 600_000 : 180_000);
  const who = await person(browser);
  const bodies: string[] = recordResponses(who.page);
  const scanned: { what: string; text: string }[] = [];
  const keep = async (what: string, res: { text(): Promise<string> }) => {
    const text = await res.text();
    scanned.push({ what, text });
    return text;
  };

  for (const [provider, { key }] of Object.entries(SAVED)) await saveKey(who, provider, key);
  // A turn that answers, one the provider refuses (an error status before any token), one that
  // fails mid-stream (an error part inside the SSE).
  const { chatId, sse } = await chatTurn(who, "canary turn about herons");
  scanned.push({ what: "SSE chat stream", text: sse });
  expect(sse).toContain("Echo");
  const newChat = (provider: string, model: string) =>
    call(who, "POST", "/api/chat", {
      data: { id: uid("chat"), message: { id: uid("msg"), text: "hi" }, provider, model },
    });
  const refused = await newChat("groq", "llama-3.3-70b-versatile");
  expect((await keep("chat refused by the provider", refused)).length).toBeGreaterThan(0);
  expect(refused.status()).toBe(401);
  const mid = await newChat("google", "gemini-2.5-flash");
  expect(await keep("SSE stream failing mid-way", mid)).toContain('"type":"error"');
  for (const provider of Object.keys(SAVED)) {
    await keep(`test saved ${provider}`, await call(who, "POST", `/api/keys/${provider}/test`));
  }
  for (const { key } of typed) {
    const r = await call(who, "POST", "/api/keys/openai/test", { data: { apiKey: key } });
    await keep(`test typed ${key.slice(0, 24)}`, r);
  }
  // Bad input echoing a key: a save with an unknown field, a chat with an unknown model.
  await keep(
    "save error",
    await call(who, "PUT", "/api/keys/openai", {
      data: { apiKey: SAVED.openai.key, extra: SAVED.openai.key },
    }),
  );

  // A personal API token, made where the user makes one, then used the way a script uses it.
  const tab = await who.page.context().newPage();
  await tab.goto("/settings/ai");
  const apiToken = await new ApiTokensSection(tab).create({ name: "canary script" });
  await tab.close();
  const v1 = (method: string, path: string, data?: unknown, auth = `Bearer ${apiToken}`) =>
    who.request.fetch(path, {
      method,
      headers: { authorization: auth, ...(data ? { "content-type": "application/json" } : {}) },
      data: data === undefined ? undefined : JSON.stringify(data),
      failOnStatusCode: false,
    });
  const ask = (model: string, stream: boolean) => ({
    model,
    stream,
    messages: [{ role: "user", content: "canary api turn about herons" }],
  });
  const streamed = await keep(
    "/v1 SSE stream",
    await v1("POST", "/v1/chat/completions", ask("openai/gpt-5-mini", true)),
  );
  expect(streamed).toContain("data: [DONE]");
  await keep("/v1 JSON answer", await v1("POST", "/v1/chat/completions", ask("openai/gpt-5-mini", false)));
  await keep(
    "/v1 provider refusal",
    await v1("POST", "/v1/chat/completions", ask("groq/llama-3.3-70b-versatile", false)),
  );
  await keep(
    "/v1 SSE failing mid-way",
    await v1("POST", "/v1/chat/completions", ask("google/gemini-2.5-flash", true)),
  );
  await keep("/v1 unknown model", await v1("POST", "/v1/chat/completions", ask(`openai/${apiToken}`, false)));
  expect(await keep("/v1 models", await v1("GET", "/v1/models"))).toContain("openai/gpt-5-mini");
  const wrong = await v1("GET", "/v1/models", undefined, `Bearer ${apiToken}x`);
  expect(wrong.status()).toBe(401);
  await keep("/v1 wrong token", wrong);
  await keep(
    "/v1 token in a body",
    await v1("POST", "/v1/chat/completions", { model: MODEL_ECHO, token: apiToken }),
  );

  // Every page (HTML and RSC), every GET route handler, with this user's ids.
  const params = { id: chatId, provider: "openai" };
  for (const page of manifest.pages) {
    const path = samplePath(page.pattern, params);
    await keep(`page ${path}`, await call(who, "GET", path, { headers: {} }));
    // Next answers an RSC request without its cache-busting `_rsc` parameter with a redirect to it.
    const rsc = await who.request.get(path, { headers: { rsc: "1" } });
    await keep(`RSC ${path}`, rsc);
  }
  for (const route of manifest.routes.filter((r) => r.methods.includes("GET"))) {
    const providers = route.pattern.includes("[provider]") ? Object.keys(SAVED) : ["openai"];
    for (const provider of providers) {
      const path = samplePath(route.pattern, { ...params, provider });
      await keep(`GET ${path}`, await call(who, "GET", path, { headers: {} }));
    }
  }
  // And what a browser receives on the two signed-in pages, through the page objects.
  await who.settings.goto();
  await who.chat.goto(chatId);
  await who.chat.waitForAnswer(0, "Echo");
  for (const b of bodies) scanned.push({ what: "browser response", text: b });

  const keys = [...Object.values(SAVED), ...typed, { key: apiToken, prefix: 5 }];
  const windows = keys.reduce((n, k) => n + secretWindows(k.key, k.prefix).length, 0);
  const log = readFileSync(serverLogPath(), "utf8");
  const leaks = [
    ...scanned.flatMap((s) => findLeaks([s.text], keys).map((l) => `${s.what}: ${l}`)),
    ...findLeaks([log], keys).map((l) => `server log: ${l}`),
  ];
  const bytes = scanned.reduce((n, s) => n + s.text.length, 0);
  console.log(
    `[canary] ${keys.length} canary keys (${windows} secret windows) × ${scanned.length} bodies (${bytes} chars) + the server log (${log.length} chars): ${leaks.length} found`,
  );
  // The scan looked at the right things: previews of the saved keys and the mock's error text
  // were produced (and the latter never forwarded).
  expect(scanned.some((s) => s.text.includes(SAVED.openai.key.slice(-4)))).toBe(true);
  expect(
    scanned.some(
      (s) => s.what.startsWith("page /settings/ai") && s.text.includes(`byok_…${apiToken.slice(-4)}`),
    ),
  ).toBe(true);
  expect(scanned.some((s) => s.what.startsWith("RSC ") && s.text.includes(chatId))).toBe(true);
  expect(scanned.map((s) => s.text).join("\n")).not.toContain("LEAKY-PROVIDER-TEXT");
  expect(leaks).toEqual([]);
  await who.close();
});
