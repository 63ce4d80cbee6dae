import { expect, signUpInNewContext, test } from "./fixtures";

test("a reply streams in, follows up with context, regenerates, and survives a reload", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2Eslow0000aaaa1111");
  await chat.goto();
  await chat.send("Tell me about zebras and their stripes");

  // Sample the answer while it streams: it must paint several partial states before completing.
  const first = chat.answers.first();
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
  await expect(chat.regenerateButton).toBeVisible();
  expect(seen.size).toBeGreaterThan(2);
  await expect(page).toHaveURL(/\/chat\/[\w-]+/);

  await chat.send("And what about giraffes?");
  await chat.waitForAnswer(1, "Echo (turn 2): And what about giraffes?");
  await expect(chat.regenerateButton).toBeVisible();

  await chat.regenerate();
  await expect(chat.regenerateButton).toBeVisible({ timeout: 20_000 });
  await expect(chat.answers).toHaveCount(2);
  await chat.waitForAnswer(1, "Echo (turn 2): And what about giraffes?");

  await page.reload();
  await expect(chat.userMessages).toHaveCount(2);
  await chat.waitForAnswer(0, "Echo (turn 1): Tell me about zebras");
  await chat.waitForAnswer(1, "Echo (turn 2): And what about giraffes?");
  // Each answer shows the model, which key paid for it, and token usage.
  await expect(chat.answers.nth(1)).toContainText(/personal/i);
  await expect(chat.answers.nth(1)).toContainText(/tokens/i);

  // Search finds the chat by a word from the middle of a message.
  await chat.goto();
  await chat.history.search("stripes");
  await expect(chat.history.results.getByRole("link").first()).toBeVisible();
  await chat.history.results.getByRole("link").first().click();
  await chat.waitForAnswer(0, "zebras");
});

test("stop mid-stream keeps the partial answer", async ({ page, auth, settings, chat }) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2ELongSlow2222bbbb");
  await chat.goto();
  await chat.send("Count slowly please");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  await chat.stop();
  await expect(chat.sendButton).toBeVisible();
  const partial = (await chat.answers.first().textContent()) ?? "";
  expect(partial).toContain("Echo (turn 1)");
  await chat.waitForAnswer(0, /Stopped/);
  await page.reload();
  await chat.waitForAnswer(0, "Echo (turn 1)");
  await chat.waitForAnswer(0, /Stopped/);
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
  test(`provider error "${e.knob}" shows its message and action, and keeps the draft`, async ({
    page,
    auth,
    settings,
    chat,
  }) => {
    const bodies: string[] = [];
    page.on("response", async (r) => {
      if (r.url().includes("/api/")) bodies.push(await r.text().catch(() => ""));
    });
    await auth.signUp();
    await settings.addKey("OpenAI", `sk-proj-chatE2E-${e.knob}-4444cccc5555`);
    await chat.goto();
    await chat.send("Hello there, provider");
    const banner = chat.errorBanner(e.text);
    await expect(banner).toBeVisible();
    await expect(banner.getByRole(e.action.role, { name: e.action.name })).toBeVisible();
    await expect(chat.composer).toHaveValue("Hello there, provider");
    expect(bodies.join("\n")).not.toContain("LEAKY-PROVIDER-TEXT");
  });
}

test("without any key the chat asks to add one", async ({ page, auth, chat }) => {
  await auth.signUp();
  await chat.goto();
  await expect(page.getByRole("link", { name: "Add API key" }).first()).toBeVisible();
});

test("a second user cannot read, post to, rename or delete the first user's chat", async ({
  page,
  browser,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2Eowner6666dddd7777");
  await chat.goto();
  await chat.send("private thoughts about otters");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);
  const chatId = chat.chatId();

  const origin = new URL(page.url()).origin;
  const b = await signUpInNewContext(browser, { extraHTTPHeaders: { origin } });
  await b.settings.addKey("OpenAI", "sk-proj-chatE2Eintruder8888eeee");
  const api = b.page.request;
  expect((await api.get(`/api/chats/${chatId}`)).status()).toBe(404);
  expect((await api.get(`/api/chats/${chatId}/messages`)).status()).toBe(404);
  expect((await api.patch(`/api/chats/${chatId}`, { data: { title: "mine now" } })).status()).toBe(404);
  expect((await api.delete(`/api/chats/${chatId}`)).status()).toBe(404);
  const post = await api.post("/api/chat", {
    data: {
      id: chatId,
      message: { id: "intruder-msg-1", text: "hi" },
      provider: "openai",
      model: "gpt-5-mini",
    },
  });
  // Chat ids are per user: B's turn under A's chat id makes a chat of B's own (exactly what an
  // unused id does), never a message in A's chat — A's chat is checked unchanged below.
  expect(post.status()).toBe(200);
  expect(await post.text()).not.toContain("otters");
  const list = await api.get("/api/chats?q=otters");
  expect(await list.text()).not.toContain(chatId);
  await b.chat.goto(chatId);
  await expect(b.page.getByText("private thoughts about otters")).toHaveCount(0);
  await b.close();

  await page.reload();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(page.getByText("private thoughts about otters").first()).toBeVisible();
});

test("bad chat input gets a 400 with a code, not a 500", async ({ page, auth }) => {
  await auth.signUp();
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
});

test("a chat can be renamed and deleted from the sidebar", async ({ page, auth, settings, chat }) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2Ehistory9999ffff");
  await chat.goto();
  await chat.send("Plan a trip to Lisbon");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  const chats = chat.history.chats;
  await expect(chats.getByRole("link")).toHaveCount(1);

  await chat.history.rename("Lisbon trip");
  await expect(chats.getByRole("link", { name: "Lisbon trip" })).toBeVisible();
  await page.reload();
  await expect(chats.getByRole("link", { name: "Lisbon trip" })).toBeVisible();

  await chat.history.delete();
  await expect(chats.getByRole("link")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("link", { name: "Lisbon trip" })).toHaveCount(0);
});
