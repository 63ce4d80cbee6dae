import { expect, signUpInNewContext, test } from "./fixtures";

// Export a chat from its header: Markdown to read, JSON with the model, key source and token
// usage of each answer. Another user's chat cannot be exported; a bad format is a 400.

test("the chat header exports the chat as Markdown and as JSON with usage per answer", async ({
  page,
  browser,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-exportE2E0000aaaa1111");
  await chat.goto();
  // A new chat has nothing to export yet.
  await expect(chat.exportButton).toHaveCount(0);
  await chat.send("Tell me about kingfishers");
  await chat.waitForAnswer(0, /Echo \(turn 1\)[\s\S]*out tokens/);
  await chat.send("And about herons");
  await chat.waitForAnswer(1, /Echo \(turn 2\)[\s\S]*out tokens/);
  const chatId = chat.chatId();

  const md = await chat.export("Markdown");
  expect(md.name).toMatch(/\.md$/);
  expect(md.text).toMatch(/^# .+\n/);
  expect(md.text).toContain("## You\n\nTell me about kingfishers\n");
  expect(md.text).toMatch(
    /## Assistant\n\n_openai · gpt[\w.-]+ · personal key …\w{4} · \d+ in · \d+ out tokens_/,
  );
  expect(md.text).toContain("Echo (turn 2): And about herons");
  // Focus came back to the menu's button after the download started.
  await expect(chat.exportButton).toBeFocused();

  const json = await chat.export("JSON");
  expect(json.name).toMatch(/\.json$/);
  const doc = JSON.parse(json.text);
  expect(doc.chat.id).toBe(chatId);
  expect(doc.messages).toHaveLength(4);
  for (const answer of [doc.messages[1], doc.messages[3]]) {
    expect(answer).toMatchObject({ role: "assistant", provider: "openai", keySource: "personal" });
    expect(answer.model).toEqual(expect.any(String));
    expect(answer.usage.inputTokens).toBeGreaterThan(0);
    expect(answer.usage.outputTokens).toBeGreaterThan(0);
  }
  expect(json.text).not.toContain("exportE2E0000aaaa1111");

  // A bad format is refused with its code; another user's chat is not found.
  const bad = await page.request.get(`/api/chats/${chatId}/export?format=pdf`);
  expect(bad.status()).toBe(400);
  expect((await bad.json()).code).toBe("VALIDATION_FAILED");
  const other = await signUpInNewContext(browser);
  try {
    const res = await other.page.request.get(`/api/chats/${chatId}/export?format=json`);
    expect(res.status()).toBe(404);
    expect(await res.text()).not.toContain("kingfishers");
  } finally {
    await other.close();
  }
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the export menu fits the screen and closes with Escape", async ({ auth, settings, chat, page }) => {
    await auth.signUp();
    await settings.addKey("OpenAI", "sk-proj-exportE2E2222bbbb3333");
    await chat.goto();
    await chat.send("Short one");
    await chat.waitForAnswer(0, /out tokens/);
    await chat.exportButton.click();
    const item = page.getByRole("link", { name: /JSON/ });
    await expect(item).toBeInViewport({ ratio: 1 });
    // Opening the menu puts focus on its first item.
    await expect(page.getByRole("link", { name: /Markdown/ })).toBeFocused();
    // Escape closes the menu and gives focus back to its button.
    await page.keyboard.press("Escape");
    await expect(item).toHaveCount(0);
    await expect(chat.exportButton).toBeFocused();
  });
});
