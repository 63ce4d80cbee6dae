import { expect, type Page, test } from "@playwright/test";
import { signUp } from "./helpers";

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

async function addOpenAiKey(page: Page, key: string) {
  await page.goto("/settings/ai");
  const c = page.getByRole("region", { name: "OpenAI", exact: true });
  await c.getByLabel("API key").fill(key);
  await c.getByRole("button", { name: "Save key" }).click();
  await expect(c.getByLabel("API key")).toHaveValue("");
  await expect(c.getByTestId("key-preview")).toContainText(key.slice(-4));
}

async function send(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

const answers = (page: Page) => page.getByTestId("message-assistant");

test("a reply streams in, follows up with context, regenerates, and survives a reload", async ({ page }) => {
  await signUp(page);
  await addOpenAiKey(page, "sk-proj-chatE2Eslow0000aaaa1111");
  await page.goto("/chat");
  await send(page, "Tell me about zebras and their stripes");

  // Sample the answer while it streams: it must paint several partial states before completing.
  const first = answers(page).first();
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        const t = (await first.textContent()) ?? "";
        if (t) seen.add(t);
        return t;
      },
      { intervals: [50], timeout: 20_000 },
    )
    .toMatch(/Echo \(turn 1\): Tell me about zebras and their stripes[\s\S]*\S/);
  await expect(page.getByRole("button", { name: "Regenerate" })).toBeVisible();
  expect(seen.size).toBeGreaterThan(2);
  await expect(page).toHaveURL(/\/chat\/[\w-]+/);

  await send(page, "And what about giraffes?");
  await expect(answers(page).nth(1)).toContainText("Echo (turn 2): And what about giraffes?");
  await expect(page.getByRole("button", { name: "Regenerate" })).toBeVisible();

  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByRole("button", { name: "Regenerate" })).toBeVisible({ timeout: 20_000 });
  await expect(answers(page)).toHaveCount(2);
  await expect(answers(page).nth(1)).toContainText("Echo (turn 2): And what about giraffes?");

  await page.reload();
  await expect(page.getByTestId("message-user")).toHaveCount(2);
  await expect(answers(page).nth(0)).toContainText("Echo (turn 1): Tell me about zebras");
  await expect(answers(page).nth(1)).toContainText("Echo (turn 2): And what about giraffes?");
  // Each answer shows the model, which key paid for it, and token usage.
  await expect(answers(page).nth(1)).toContainText(/personal/i);
  await expect(answers(page).nth(1)).toContainText(/tokens/i);

  // Search finds the chat by a word from the middle of a message.
  await page.goto("/chat");
  await page
    .getByRole("searchbox", { name: "Search chats" })
    .or(page.getByLabel("Search chats"))
    .fill("stripes");
  const results = page.getByRole("list", { name: "Search results" });
  await expect(results.getByRole("link").first()).toBeVisible();
  await results.getByRole("link").first().click();
  await expect(answers(page).first()).toContainText("zebras");
});

test("stop mid-stream keeps the partial answer", async ({ page }) => {
  await signUp(page);
  await addOpenAiKey(page, "sk-proj-chatE2Eslow2222bbbb3333");
  await page.goto("/chat");
  await send(page, "Count slowly please");
  await expect(answers(page).first()).toContainText("Echo (turn 1)");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  const partial = (await answers(page).first().textContent()) ?? "";
  expect(partial).toContain("Echo (turn 1)");
  await expect(answers(page).first()).toContainText(/Stopped/);
  await page.reload();
  await expect(answers(page).first()).toContainText("Echo (turn 1)");
  await expect(answers(page).first()).toContainText(/Stopped/);
});

const ERRORS = [
  { knob: "invalid", text: /rejected|invalid/i, action: { role: "link", name: "Update API key" } },
  { knob: "quota", text: /credit|quota/i, action: { role: "link", name: "Check billing" } },
  { knob: "ratelimit", text: /too many|rate/i, action: { role: "button", name: /Retry in \d+ s/ } },
  {
    knob: "servererror",
    text: /could not be reached|unavailable|try again/i,
    action: { role: "button", name: "Retry" },
  },
] as const;

for (const e of ERRORS) {
  test(`provider error "${e.knob}" shows its message and action, and keeps the draft`, async ({ page }) => {
    const bodies: string[] = [];
    page.on("response", async (r) => {
      if (r.url().includes("/api/")) bodies.push(await r.text().catch(() => ""));
    });
    await signUp(page);
    await addOpenAiKey(page, `sk-proj-chatE2E-${e.knob}-4444cccc5555`);
    await page.goto("/chat");
    await send(page, "Hello there, provider");
    const banner = page.getByRole("main").getByRole("alert").filter({ hasText: e.text });
    await expect(banner).toBeVisible();
    await expect(banner.getByRole(e.action.role, { name: e.action.name })).toBeVisible();
    await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("Hello there, provider");
    expect(bodies.join("\n")).not.toContain("LEAKY-PROVIDER-TEXT");
  });
}

test("without any key the chat asks to add one", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  await expect(page.getByRole("link", { name: "Add API key" }).first()).toBeVisible();
});

test("a second user cannot read, post to, rename or delete the first user's chat", async ({
  page,
  browser,
}) => {
  await signUp(page);
  await addOpenAiKey(page, "sk-proj-chatE2Eowner6666dddd7777");
  await page.goto("/chat");
  await send(page, "private thoughts about otters");
  await expect(answers(page).first()).toContainText("Echo (turn 1)");
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);
  const chatId = new URL(page.url()).pathname.split("/").pop() as string;

  const origin = new URL(page.url()).origin;
  const ctx = await browser.newContext({ extraHTTPHeaders: { origin } });
  const b = await ctx.newPage();
  await signUp(b);
  await addOpenAiKey(b, "sk-proj-chatE2Eintruder8888eeee");
  expect((await b.request.get(`/api/chats/${chatId}`)).status()).toBe(404);
  expect((await b.request.get(`/api/chats/${chatId}/messages`)).status()).toBe(404);
  expect((await b.request.patch(`/api/chats/${chatId}`, { data: { title: "mine now" } })).status()).toBe(404);
  expect((await b.request.delete(`/api/chats/${chatId}`)).status()).toBe(404);
  const post = await b.request.post("/api/chat", {
    data: {
      id: chatId,
      message: { id: "intruder-msg-1", text: "hi" },
      provider: "openai",
      model: "gpt-5-mini",
    },
  });
  expect([403, 404]).toContain(post.status());
  const list = await b.request.get("/api/chats?q=otters");
  expect(await list.text()).not.toContain(chatId);
  await b.goto(`/chat/${chatId}`);
  await expect(b.getByText("private thoughts about otters")).toHaveCount(0);
  await ctx.close();

  await page.reload();
  await expect(page.getByTestId("message-user")).toHaveCount(1);
  await expect(page.getByText("private thoughts about otters").first()).toBeVisible();
});

test("bad chat input gets a 400 with a code, not a 500", async ({ page }) => {
  await signUp(page);
  const origin = new URL(page.url()).origin;
  const bad = [
    {},
    {
      id: "chatbadinput1",
      message: { id: "msgbadinput1", text: "" },
      provider: "openai",
      model: "gpt-5-mini",
    },
    {
      id: "chatbadinput1",
      message: { id: "msgbadinput1", text: "x".repeat(4001) },
      provider: "openai",
      model: "gpt-5-mini",
    },
    {
      id: "chatbadinput1",
      message: { id: "msgbadinput1", text: "hi" },
      provider: "openai",
      model: "llama-3.3-70b-versatile",
    },
    { id: "chatbadinput1", message: { id: "msgbadinput1", text: "hi" }, provider: "nope", model: "x" },
  ];
  for (const data of bad) {
    const r = await page.request.post("/api/chat", { data, headers: { origin } });
    expect(r.status(), JSON.stringify(data).slice(0, 80)).toBe(400);
    expect(await r.json()).toMatchObject({ code: "VALIDATION_FAILED" });
  }
  void MOCK;
});

test("a chat can be renamed and deleted from the sidebar", async ({ page }) => {
  await signUp(page);
  await addOpenAiKey(page, "sk-proj-chatE2Ehistory9999ffff");
  await page.goto("/chat");
  await send(page, "Plan a trip to Lisbon");
  await expect(answers(page).first()).toContainText("Echo (turn 1)");
  const chats = page.getByRole("list", { name: "Chats" });
  await expect(chats.getByRole("link")).toHaveCount(1);

  await chats.getByRole("button", { name: "Rename chat" }).click();
  const title = page.getByRole("textbox", { name: "Chat title" });
  await title.fill("Lisbon trip");
  await title.press("Enter");
  await expect(chats.getByRole("link", { name: "Lisbon trip" })).toBeVisible();
  await page.reload();
  await expect(chats.getByRole("link", { name: "Lisbon trip" })).toBeVisible();

  await chats.getByRole("button", { name: "Delete chat" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(chats.getByRole("link")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("link", { name: "Lisbon trip" })).toHaveCount(0);
});
