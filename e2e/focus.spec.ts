import { expect, test } from "./fixtures";

// Keyboard focus stays where the person acted: after Save key, Test, the personal-key switch and
// Save defaults the control they pressed still has focus; after Remove it moves to the key field (a disabled button would drop it to
// the page body, and a keyboard or screen-reader user would have to find their place again).

test("focus stays on the control after Save key, Test, the personal-key switch and Save defaults", async ({
  page,
  auth,
  settings,
}) => {
  await auth.signUp();
  await settings.goto();
  const card = settings.card("OpenAI");
  const focused = () => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? "none");

  await card.apiKey.fill("sk-proj-focusE2E0000aaaa1111");
  await card.apiKey.press("Enter"); // submits the form from the field, as a keyboard user does
  await expect(card.preview).toContainText("1111");
  await expect(card.apiKey, await focused()).toBeFocused();

  const save = card.root.getByRole("button", { name: "Save key" });
  await card.apiKey.fill("sk-proj-focusE2E2222bbbb3333");
  await save.focus();
  await page.keyboard.press("Enter");
  await expect(card.preview).toContainText("3333");
  await expect(save, await focused()).toBeFocused();

  const testButton = card.root.getByRole("button", { name: "Test" });
  await testButton.focus();
  await page.keyboard.press("Enter");
  await expect(card.testResult).toContainText(/Valid/);
  await expect(testButton, await focused()).toBeFocused();

  await card.personalKeySwitch.focus();
  await page.keyboard.press("Space");
  await expect(card.personalKeySwitch).toHaveAttribute("aria-checked", "false");
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: /is off/ })).toBeVisible();
  await expect(card.personalKeySwitch, await focused()).toBeFocused();

  const saveDefaults = page.getByRole("button", { name: "Save defaults" });
  await saveDefaults.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("[data-sonner-toast]").filter({ hasText: /Defaults saved/ })).toBeVisible();
  await expect(saveDefaults, await focused()).toBeFocused();

  // Remove takes the Remove button away with the key: focus moves to the field for a new key.
  await card.remove();
  await expect(card.preview).toHaveCount(0);
  await expect(card.apiKey, await focused()).toBeFocused();
});
