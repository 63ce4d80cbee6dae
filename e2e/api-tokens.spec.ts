import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { loadAppManifest } from "../test/manifest";
import { expect, signUpInNewContext, test } from "./fixtures";
import { ApiTokensSection } from "./pages/api-tokens-section";
import { serverStatePath } from "./server-log.mjs";

// Personal API tokens, used the way a script would: the official `openai` npm client pointed at
// this server's /v1 with a token created through AI settings, answering from the mock upstream
// through the user's stored Groq key. Then the ways a token stops working: revoked, read-only
// for completions, a disabled account; and what never authenticates /v1: a session cookie.

const APP = `http://127.0.0.1:${process.env.E2E_APP_PORT ?? "3300"}`;
const MODEL = "groq/llama-3.3-70b-versatile";

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${APP}/v1`, maxRetries: 0 });

async function saveGroqKey(page: import("@playwright/test").Page, baseURL: string, apiKey: string) {
  const res = await page.request.put("/api/keys/groq", {
    headers: { origin: new URL(baseURL).origin },
    data: { apiKey },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("a script streams, completes and lists models with a token made in AI settings; revoked → 401, read-only → 403", async ({
  page,
  user: _user,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await saveGroqKey(page, baseURL as string, "gsk_e2eTokenSpecKey00001");
  await page.goto("/settings/ai");
  const tokens = new ApiTokensSection(page);
  await expect(tokens.root.getByText("No tokens yet.")).toBeVisible();
  const token = await tokens.create({ name: "laptop script", expiry: "30 days" });
  const openai = client(token);

  // Streaming: text arrives chunk by chunk from the mock upstream, then usage.
  const stream = await openai.chat.completions.create({
    model: MODEL,
    messages: [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "stream me a heron" },
    ],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let chunks = 0;
  let usage: OpenAI.CompletionUsage | undefined | null;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text).toContain("Echo (turn 1): stream me a heron");
  expect(chunks).toBeGreaterThan(3);
  expect(usage?.total_tokens).toBeGreaterThan(0);

  // Not streaming.
  const done = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "one piece please" }],
  });
  expect(done.object).toBe("chat.completion");
  expect(done.choices[0]?.message.content).toContain("one piece please");
  expect(done.usage?.prompt_tokens).toBeGreaterThan(0);

  // Models: the Groq ones (the only provider with a key), as provider/model.
  const models = [];
  for await (const m of openai.models.list()) models.push(m.id);
  expect(models).toContain(MODEL);
  expect(models.every((id) => id.startsWith("groq/"))).toBe(true);

  // Errors come in OpenAI's shape, so the SDK raises its own classes.
  const unknown = await openai.chat.completions
    .create({ model: "groq/no-such-model", messages: [{ role: "user", content: "x" }] })
    .catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("NOT_FOUND");
  const invalid = await openai.chat.completions
    .create({
      model: MODEL,
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }],
    })
    .catch((e: unknown) => e);
  expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);

  // The usage and the activity log show the API turns; the list shows when the token was used.
  await page.reload();
  await expect(tokens.row("laptop script")).not.toContainText("last used never");
  await expect(page.locator("#activity")).toContainText(`API request: ${MODEL} via “laptop script”`);
  await expect(page.locator("#activity")).toContainText("API token created: laptop script");

  // Read-only: lists models, may not run one.
  const ro = await tokens.create({ name: "read only", readOnly: true });
  const roClient = client(ro);
  expect((await roClient.models.list()).data.length).toBeGreaterThan(0);
  const refused = await roClient.chat.completions
    .create({ model: MODEL, messages: [{ role: "user", content: "x" }] })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);

  // Revoked: the very next request is refused.
  await tokens.revoke("laptop script");
  const revoked = await openai.models.list().catch((e: unknown) => e);
  expect(revoked).toBeInstanceOf(OpenAI.AuthenticationError);
  expect((revoked as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
  const revokedStream = await openai.chat.completions
    .create({ model: MODEL, messages: [{ role: "user", content: "x" }], stream: true })
    .catch((e: unknown) => e);
  expect(revokedStream).toBeInstanceOf(OpenAI.AuthenticationError);
});

test("/v1 ignores cookies and Origin: a session alone gets 401, a token from another origin works without CORS", async ({
  page,
  user: _user,
  baseURL,
}) => {
  await saveGroqKey(page, baseURL as string, "gsk_e2eCookieSpecKey0002");
  await page.goto("/settings/ai");
  const token = await new ApiTokensSection(page).create({ name: "cors check" });
  // The signed-in browser's own session cookie, same origin: not a way in.
  const withCookie = await page.request.get("/v1/models", {
    headers: { origin: new URL(baseURL as string).origin },
  });
  expect(withCookie.status()).toBe(401);
  expect(await withCookie.json()).toMatchObject({
    error: { code: "UNAUTHORIZED", type: "authentication_error" },
  });
  const post = await page.request.post("/v1/chat/completions", {
    headers: { origin: new URL(baseURL as string).origin },
    data: { model: MODEL, messages: [{ role: "user", content: "x" }] },
  });
  expect(post.status()).toBe(401);
  // The token from anywhere: no Origin rule, and no CORS headers for a browser to use.
  const cross = await page.request.post("/v1/chat/completions", {
    headers: { origin: "https://evil.example", authorization: `Bearer ${token}` },
    data: { model: MODEL, messages: [{ role: "user", content: "from elsewhere" }] },
  });
  expect(cross.status()).toBe(200);
  expect(cross.headers()["access-control-allow-origin"]).toBeUndefined();
  const preflight = await page.request.fetch("/v1/chat/completions", {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });
  expect(preflight.headers()["access-control-allow-origin"]).toBeUndefined();
  // Bad JSON and a wrong content type: 4xx in OpenAI's shape, never a 500.
  const bad = await page.request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: "{not json",
  });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({
    error: { code: "VALIDATION_FAILED", type: "invalid_request_error" },
  });
});

/** `npm run admin -- …` against the suite's server (embedded database: through its control socket). */
function adminCommand(...args: string[]): Promise<{ code: number | null; out: string }> {
  const { dataDir } = JSON.parse(readFileSync(serverStatePath(), "utf8")) as { dataDir: string };
  const env: NodeJS.ProcessEnv = { ...process.env, BYOK_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const child = spawn("npm", ["run", "--silent", "admin", "--", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let out = "";
  child.stdout?.on("data", (b) => (out += b));
  child.stderr?.on("data", (b) => (out += b));
  return new Promise((r) => child.on("exit", (code) => r({ code, out })));
}

test("a disabled account's tokens stop working at once, and work again when it is enabled", async ({
  page,
  user: _user,
  baseURL,
  browser,
}) => {
  test.setTimeout(120_000);
  await saveGroqKey(page, baseURL as string, "gsk_e2eDisabledKey00003");
  await page.goto("/settings/ai");
  const token = await new ApiTokensSection(page).create({ name: "soon disabled" });
  const openai = client(token);
  expect((await openai.models.list()).data.length).toBeGreaterThan(0);
  const userId = ((await (await page.request.get("/api/me")).json()) as { id: string }).id;

  // An operator of this instance (made admin from the shell) disables the account in /admin.
  const admin = await signUpInNewContext(browser);
  const granted = await adminCommand("grant", admin.email);
  expect(granted.code, granted.out).toBe(0);
  const action = loadAppManifest().actions.find((a) => a.name === "adminUserAction");
  const op = async (name: "disable" | "enable") => {
    const res = await admin.page.request.post("/admin", {
      headers: {
        "next-action": action?.id as string,
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
        origin: new URL(baseURL as string).origin,
      },
      data: JSON.stringify([{ op: name, userId }]),
    });
    expect(await res.text()).toContain(name === "disable" ? "is disabled" : "is enabled");
  };
  try {
    await op("disable");
    const refused = await openai.models.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    await op("enable");
    expect((await openai.models.list()).data.length).toBeGreaterThan(0);
  } finally {
    await adminCommand("revoke", admin.email);
    await admin.close();
  }
});

for (const [name, viewport] of [
  ["desktop", { width: 1280, height: 900 }],
  ["mobile", { width: 390, height: 844 }],
] as const) {
  for (const scheme of ["light", "dark"] as const) {
    test.describe(`tokens UI, ${name} ${scheme}`, () => {
      test.use({ viewport, colorScheme: scheme });
      test(`the API tokens section renders the new token, the list and the scope (${name}, ${scheme})`, async ({
        page,
        user: _user,
      }, info) => {
        await page.goto("/settings/ai");
        const tokens = new ApiTokensSection(page);
        await tokens.create({ name: "Old CI job" });
        await tokens.revoke("Old CI job");
        await tokens.create({
          name: "Editor plugin",
          providers: ["Groq"],
          models: ["groq/llama-3.3-70b-versatile"],
          expiry: "1 year",
        });
        await tokens.create({ name: "Model browser", readOnly: true, expiry: "Never" });
        const token = await tokens.create({ name: "Laptop scripts" }, { dismiss: false });
        await expect(tokens.row("Editor plugin")).toContainText("Groq · groq/llama-3.3-70b-versatile");
        await expect(tokens.row("Model browser")).toContainText("Read-only");
        await expect(tokens.row("Model browser")).toContainText("expires never");
        // The page lists previews only: the token itself is in the one-time box and nowhere else.
        expect((await tokens.root.locator("ul").innerText()).includes(token.slice(5, -4))).toBe(false);
        // A bad model in the form: the field says what is wrong.
        await tokens.root.getByLabel("Name").fill("Bad scope");
        await tokens.root.getByLabel("Only these models (optional)").fill("llama");
        await tokens.root.getByRole("button", { name: "Create token" }).click();
        await expect(tokens.root.getByText("Write models as provider/model")).toBeVisible();
        await tokens.root.scrollIntoViewIfNeeded();
        await tokens.root.screenshot({ path: info.outputPath(`api-tokens-${name}-${scheme}.png`) });
      });
    });
  }
}
