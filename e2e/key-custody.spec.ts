import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { signUp } from "./helpers";
import { findLeaks, recordResponses } from "./leaks";
import { serverLogPath } from "./server-log.mjs";

const ORIGIN = `http://localhost:${process.env.E2E_APP_PORT ?? "3300"}`;
const KEYS = {
  OpenAI: { key: "sk-proj-fakeCustodyOPENAIsecret9a8b7c6d", prefix: 8 },
  Groq: { key: "gsk_custodyGROQsecret1z2y3x4w5v6u7t", prefix: 4 },
  "Google Gemini": { key: "AIzaCustodyGEMINIsecret0p9o8i7u6y5t4r", prefix: 4 },
} as const;

async function addKey(page: Page, provider: keyof typeof KEYS, key: string) {
  const c = page.getByRole("region", { name: provider, exact: true });
  await c.getByLabel("API key").fill(key);
  await c.getByRole("button", { name: "Save key" }).click();
  await expect(c.getByLabel("API key")).toHaveValue("");
  await expect(c.getByTestId("key-preview")).toContainText(key.slice(-4));
  return c;
}

test("no plaintext key reaches the browser or the server log", async ({ page }) => {
  const bodies = recordResponses(page);
  await signUp(page);
  await page.goto("/settings/ai");
  for (const [provider, { key }] of Object.entries(KEYS) as [keyof typeof KEYS, { key: string }][]) {
    const c = await addKey(page, provider, key);
    await c.getByRole("button", { name: "Test" }).click();
    await expect(c.getByRole("status")).toContainText(/Valid/);
    await c.getByRole("switch", { name: "Use my personal key" }).click();
    await expect(c.getByRole("switch", { name: "Use my personal key" })).toHaveAttribute(
      "aria-checked",
      "false",
    );
  }
  // A typed key tested without saving, and an invalid one (its provider error echoes key text).
  const openai = page.getByRole("region", { name: "OpenAI", exact: true });
  await openai.getByLabel("API key").fill("sk-proj-Qz7invalidXw93typedSECRETqq11");
  await openai.getByRole("button", { name: "Test" }).click();
  await expect(openai.getByRole("status")).toContainText(/Invalid key/);
  await page.reload();
  await page.goto("/chat");
  await page.goto("/settings/ai");
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

test("user B can neither read, test, change nor remove user A's keys", async ({ page, browser }) => {
  await signUp(page);
  await page.goto("/settings/ai");
  const a = await addKey(page, "Groq", KEYS.Groq.key);
  await a.getByRole("button", { name: "Test" }).click();
  await expect(a.getByTestId("key-status")).toHaveText(/active/i);
  const before = await (await page.request.get("/api/keys")).json();

  const ctxB = await browser.newContext({ extraHTTPHeaders: { origin: ORIGIN } });
  const b = await ctxB.newPage();
  await signUp(b);
  const listB = await b.request.get("/api/keys");
  expect(listB.status()).toBe(200);
  expect(await listB.text()).not.toContain(KEYS.Groq.key.slice(-4));
  const oneB = await b.request.get("/api/keys/groq");
  expect(oneB.status()).toBe(200);
  expect(await oneB.json()).toMatchObject({ key: { status: "not_set" } });
  expect((await b.request.post("/api/keys/groq/test", { data: {} })).status()).toBe(404);
  expect((await b.request.patch("/api/keys/groq", { data: { enabled: false } })).status()).toBe(404);
  expect((await b.request.delete("/api/keys/groq")).status()).toBe(404);
  // B's settings page shows B's own empty state, not A's key.
  await b.goto("/settings/ai");
  await expect(b.getByRole("region", { name: "Groq", exact: true }).getByTestId("key-status")).toHaveText(
    /not set/i,
  );
  await ctxB.close();

  const after = await (await page.request.get("/api/keys")).json();
  expect(after).toEqual(before);
});

test("the keys API answers bad input with 4xx codes, never 500", async ({ page }) => {
  await signUp(page);
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
