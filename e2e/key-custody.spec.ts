import { readFileSync } from "node:fs";
import { expect, type ProviderName, signUpInNewContext, test } from "./fixtures";
import { findLeaks, recordResponses } from "./leaks";
import { serverLogPath } from "./server-log.mjs";

const ORIGIN = `http://localhost:${process.env.E2E_APP_PORT ?? "3300"}`;
const KEYS = {
  OpenAI: { key: "sk-proj-fakeCustodyOPENAIsecret9a8b7c6d", prefix: 8 },
  Groq: { key: "gsk_custodyGROQsecret1z2y3x4w5v6u7t", prefix: 4 },
  "Google Gemini": { key: "AIzaCustodyGEMINIsecret0p9o8i7u6y5t4r", prefix: 4 },
} as const satisfies Partial<Record<ProviderName, { key: string; prefix: number }>>;

test("no plaintext key reaches the browser or the server log", async ({ page, auth, settings }) => {
  const bodies = recordResponses(page);
  await auth.signUp();
  await settings.goto();
  for (const [provider, { key }] of Object.entries(KEYS) as [keyof typeof KEYS, { key: string }][]) {
    const c = await settings.saveKey(provider, key);
    await c.testKey();
    await expect(c.testResult).toContainText(/Valid/);
    await c.personalKeySwitch.click();
    await expect(c.personalKeySwitch).toHaveAttribute("aria-checked", "false");
  }
  // A typed key tested without saving, and an invalid one (its provider error echoes key text).
  const openai = await settings.testKey("OpenAI", "sk-proj-Qz7invalidXw93typedSECRETqq11");
  await expect(openai.testResult).toContainText(/rejected this API key/);
  await page.reload();
  await page.goto("/chat");
  await settings.goto();
  const api = await page.request.get("/api/keys");
  bodies.push(await api.text());
  for (const p of ["openai", "groq", "google"]) {
    const r = await page.request.post(`/api/keys/${p}/test`, { data: {}, headers: { origin: ORIGIN } });
    bodies.push(await r.text());
  }

  const all = [...Object.values(KEYS), { key: "sk-proj-Qz7invalidXw93typedSECRETqq11", prefix: 8 }];
  expect(bodies.length).toBeGreaterThan(10);
  expect(findLeaks(bodies, all)).toEqual([]);
  // The previews (prefix + last 4) are there, so the scan looked at the right pages.
  expect(bodies.some((b) => b.includes("sk-proj-…7c6d"))).toBe(true);
  expect(bodies.join("\n")).not.toContain("LEAKY-PROVIDER-TEXT");

  const log = readFileSync(serverLogPath(), "utf8");
  expect(findLeaks([log], all)).toEqual([]);
  expect(log).not.toContain("LEAKY-PROVIDER-TEXT");
});

test("user B can neither read, test, change nor remove user A's keys", async ({
  page,
  browser,
  auth,
  settings,
}) => {
  await auth.signUp();
  await settings.goto();
  const a = await settings.saveKey("Groq", KEYS.Groq.key);
  await a.testKey();
  await expect(a.status).toHaveText(/active/i);
  const before = await (await page.request.get("/api/keys")).json();

  const b = await signUpInNewContext(browser, { extraHTTPHeaders: { origin: ORIGIN } });
  const listB = await b.page.request.get("/api/keys");
  expect(listB.status()).toBe(200);
  expect(await listB.text()).not.toContain(KEYS.Groq.key.slice(-4));
  const oneB = await b.page.request.get("/api/keys/groq");
  expect(oneB.status()).toBe(200);
  expect(await oneB.json()).toMatchObject({ key: { status: "not_set" } });
  expect((await b.page.request.post("/api/keys/groq/test", { data: {} })).status()).toBe(404);
  expect((await b.page.request.patch("/api/keys/groq", { data: { enabled: false } })).status()).toBe(404);
  expect((await b.page.request.delete("/api/keys/groq")).status()).toBe(404);
  // B's settings page shows B's own empty state, not A's key.
  await b.settings.goto();
  await expect(b.settings.card("Groq").status).toHaveText(/not set/i);
  await b.close();

  const after = await (await page.request.get("/api/keys")).json();
  expect(after).toEqual(before);
});

test("the keys API answers bad input with 4xx codes, never 500", async ({ page, auth }) => {
  await auth.signUp();
  const post = (path: string, data: unknown, headers: Record<string, string> = { origin: ORIGIN }) =>
    page.request.fetch(path, { method: "PUT", data: data as object, headers });
  let r = await post("/api/keys/openai", { apiKey: "sk-proj-shapeOK12345678", extra: 1 });
  expect(r.status()).toBe(400);
  expect(await r.json()).toMatchObject({ code: "VALIDATION_FAILED" });
  r = await post("/api/keys/openai", { apiKey: "" });
  expect(r.status()).toBe(400);
  r = await post("/api/keys/nope", { apiKey: "sk-proj-shapeOK12345678" });
  expect(r.status()).toBe(404);
  expect(await r.json()).toMatchObject({ code: "NOT_FOUND" });
  r = await post(
    "/api/keys/openai",
    { apiKey: "sk-proj-shapeOK12345678" },
    { origin: "https://evil.example" },
  );
  expect(r.status()).toBe(403);
  r = await page.request.fetch("/api/keys/openai", {
    method: "PUT",
    data: "apiKey=sk-proj-shapeOK12345678",
    headers: { origin: ORIGIN, "content-type": "text/plain" },
  });
  expect(r.status()).toBe(415);
  r = await post("/api/keys/compatible", {
    apiKey: "sk-shapeOK12345678",
    baseUrl: "http://169.254.169.254/v1",
  });
  expect(r.status()).toBe(400);
  expect(r.headers()["cache-control"]).toContain("no-store");
  r = await post("/api/keys/openai", { apiKey: "sk-proj-shapeOK12345678" });
  expect(r.status()).toBe(200);
  expect(JSON.stringify(await r.json())).not.toContain("shapeOK12345678");
  r = await page.request.delete("/api/keys/openai", { headers: { origin: ORIGIN } });
  expect(r.status()).toBe(200);
  r = await page.request.delete("/api/keys/openai", { headers: { origin: ORIGIN } });
  expect(r.status()).toBe(404);
});
