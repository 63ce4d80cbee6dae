import { expect, test } from "./fixtures";

// Getting around: New chat (sidebar, phone top bar, chat header), the keyboard shortcuts and
// their help dialog, the history grouped by day with full titles on hover and focus, the skip
// link, and toasts kept clear of the header.

test("keyboard shortcuts: help dialog, new chat, search, focus the composer, stop", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-navE2ELongSlow0000aaaa");
  await chat.goto();

  // "?" outside a text field opens the list; Escape closes it and focus returns.
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  // Pressed again until the page's key listener is attached (hydration can lag under load).
  await expect(async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("?");
    await expect(help).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  for (const action of ["New chat", "Search chats", "Focus the message box", "Stop the answer"])
    await expect(help.getByRole("term").filter({ hasText: action })).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();
  // Typing "?" in the composer types it.
  await chat.composer.fill("");
  await chat.composer.press("?");
  await expect(chat.composer).toHaveValue("?");
  await expect(help).toBeHidden();
  await chat.composer.fill("");
  // The sidebar's button opens it too.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await expect(help).toBeVisible();
  await help.getByRole("button", { name: "Close" }).click();
  await expect(help).toBeHidden();

  // Esc stops an answer being written (the long-slow key streams for about 24 s).
  await chat.send("Count slowly for me");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  await page.keyboard.press("Escape");
  await chat.waitForAnswer(0, /Stopped/);
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);

  // Ctrl+K: search; Shift+Esc: back to the composer; Ctrl+Shift+O: a new chat.
  await page.keyboard.press("Control+k");
  await expect(chat.history.searchBox).toBeFocused();
  await page.keyboard.press("Shift+Escape");
  await expect(chat.composer).toBeFocused();
  await page.keyboard.press("Control+Shift+O");
  await expect(page).toHaveURL(/\/chat$/);
  await expect(chat.answers).toHaveCount(0);
  await expect(chat.history.links).toHaveCount(1);
});

test("history is grouped by day and shows full titles on hover and focus; New chat starts over", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-navE2E2222bbbb3333");
  await chat.goto();
  await chat.send("Something to talk about");
  await chat.waitForAnswer(0, /out tokens/);
  const long = "A rather long chat title about the migration habits of arctic terns and godwits";
  await chat.history.rename(long);
  const list = chat.history.chats;
  await expect(list.getByRole("heading", { name: "Today" })).toBeVisible();
  await expect(list.getByRole("list", { name: "Today" }).getByRole("link")).toHaveCount(1);

  const link = list.getByRole("link", { name: long });
  await expect(link).toHaveAttribute("title", long);
  const clipped = () =>
    link
      .locator("span")
      .first()
      .evaluate((el) => el.scrollWidth > el.clientWidth);
  await page.mouse.move(0, 0);
  await link.hover();
  expect(await clipped()).toBe(false);
  await page.mouse.move(700, 400);
  await link.focus();
  expect(await clipped()).toBe(false);

  // New chat in the chat header (from md up) opens an empty chat.
  await page.getByRole("main").getByRole("link", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(chat.answers).toHaveCount(0);
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New chat" }),
  ).toHaveAttribute("aria-current", "page");

  // A toast (here: the chat deleted) stays clear of the header and the model picker.
  await chat.history.delete();
  const toast = page.locator("[data-sonner-toast]").filter({ hasText: "Chat deleted" });
  await expect(toast).toBeVisible();
  const box = await toast.boundingBox();
  const header = await chat.modelPicker.boundingBox();
  expect(box && header && box.y > header.y + header.height).toBe(true);
});

test("the skip link is the first stop and jumps to the page's content", async ({ page, auth }) => {
  await auth.signUp();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main-content")).toBeFocused();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the top bar has New chat, and Ctrl+K opens the drawer on its search", async ({
    page,
    auth,
    settings,
    chat,
  }) => {
    await auth.signUp();
    await settings.addKey("OpenAI", "sk-proj-navE2E4444cccc5555");
    await chat.goto();
    await chat.send("Hello from a phone");
    await chat.waitForAnswer(0, /out tokens/);
    await page.getByRole("banner").getByRole("link", { name: "New chat" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(chat.answers).toHaveCount(0);
    await page.keyboard.press("Control+k");
    await expect(chat.history.searchBox).toBeFocused();
    await expect(chat.history.searchBox).toBeInViewport();
  });
});
