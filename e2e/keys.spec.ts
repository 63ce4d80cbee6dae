import { expect, type Locator, type Page, test } from "@playwright/test";
import { signUp } from "./helpers";

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

// Fake keys in each provider's shape; the words in them select the mock upstream's behaviour.
const PROVIDERS = [
  {
    name: "OpenAI",
    good: "sk-proj-e2eGOODkeyAAAA1111bbbb2222",
    preview: "sk-proj-…2222",
    bad: "sk-proj-e2e-invalid-KEY3333cccc4444",
  },
  {
    name: "Groq",
    good: "gsk_e2eGOODkeyBBBB5555dddd6666eeee",
    preview: "gsk_…eeee",
    bad: "gsk_e2e_invalid_KEY7777ffff8888gggg",
  },
  {
    name: "Google Gemini",
    good: "AIzaE2EgoodKeyCCCC9999hhhh0000iiiijjjj",
    preview: "AIza…jjjj",
    bad: "AIzaE2E-invalid-KeyDDDD1212kkkk3434ll",
  },
] as const;

function card(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

async function saveKey(c: Locator, key: string) {
  await c.getByLabel("API key").fill(key);
  await c.getByRole("button", { name: "Save key" }).click();
  await expect(c.getByLabel("API key")).toHaveValue("");
  // The page's data is refreshed after a save; act on the card only once it shows the new key.
  await expect(c.getByTestId("key-preview")).toContainText(key.slice(-4));
}

for (const p of PROVIDERS) {
  test(`${p.name}: add, test, reload, replace with a bad key, toggle, remove`, async ({ page }) => {
    await signUp(page);
    await page.goto("/settings/ai");
    const c = card(page, p.name);
    await expect(c.getByTestId("key-status")).toHaveText(/not set/i);

    await saveKey(c, p.good);
    await c.getByRole("button", { name: "Test" }).click();
    await expect(c.getByRole("status")).toContainText(/Valid: .* answered in \d+ ms/);
    await expect(c.getByTestId("key-status")).toHaveText(/active/i);

    // Persisted: after a reload only the masked preview is shown, never the key.
    await page.reload();
    await expect(c.getByTestId("key-preview")).toHaveText(p.preview);
    expect(await page.content()).not.toContain(p.good);

    // A failed test marks the key invalid but keeps it.
    await saveKey(c, p.bad);
    await c.getByRole("button", { name: "Test" }).click();
    await expect(c.getByRole("status")).toContainText(/Invalid key/);
    await expect(c.getByTestId("key-status")).toHaveText(/invalid/i);
    await page.reload();
    await expect(c.getByTestId("key-preview")).toContainText(p.bad.slice(-4));

    const toggle = c.getByRole("switch", { name: "Use my personal key" });
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await page.reload();
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await expect(c.getByTestId("key-preview")).toContainText(p.bad.slice(-4));
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "true");

    await c.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("button", { name: "Remove key" }).click();
    await expect(c.getByTestId("key-status")).toHaveText(/not set/i);
    await page.reload();
    await expect(c.getByTestId("key-status")).toHaveText(/not set/i);

    // The activity log recorded each change.
    const activity = page.getByRole("table");
    for (const action of [
      "Key added",
      "Key tested: valid",
      "Key replaced",
      "Key tested: invalid key",
      "Personal key off",
      "Personal key on",
      "Key removed",
    ]) {
      await expect(activity.getByText(action).first()).toBeVisible();
    }
  });
}

test("an OpenAI-compatible endpoint pointing at the mock works", async ({ page }) => {
  await signUp(page);
  await page.goto("/settings/ai");
  const c = card(page, "OpenAI-compatible");
  await c.getByLabel("Name").fill("Mock gateway");
  await c.getByLabel("Base URL").fill(`${MOCK}/compat/v1`);
  await saveKey(c, "sk-compat-e2eGOODkey5656mmmm7878");
  await c.getByRole("button", { name: "Test" }).click();
  await expect(c.getByRole("status")).toContainText(/Valid/);
  await page.reload();
  await expect(c.getByTestId("key-preview")).toContainText("7878");
  await expect(c.getByLabel("Base URL")).toHaveValue(`${MOCK}/compat/v1`);
});

test("testing a typed key before saving does not save it", async ({ page }) => {
  await signUp(page);
  await page.goto("/settings/ai");
  const c = card(page, "OpenAI");
  await c.getByLabel("API key").fill("sk-proj-e2e-quota-KEY9090nnnn1212");
  await c.getByRole("button", { name: "Test" }).click();
  await expect(c.getByRole("status")).toContainText(/No credit/);
  await expect(c.getByRole("link", { name: /check billing/i })).toBeVisible();
  await page.reload();
  await expect(c.getByTestId("key-status")).toHaveText(/not set/i);
});

test("Test pressed the moment a first key is saved keeps its result", async ({ page }) => {
  await signUp(page);
  await page.goto("/settings/ai");
  const c = card(page, "Groq");
  await c.getByLabel("API key").fill("gsk_e2eFASTtestKEY4545oooo6767pppp");
  await c.getByRole("button", { name: "Save key" }).click();
  // No wait for the refreshed card: click as soon as Save is done.
  await c.getByRole("button", { name: "Test" }).click();
  await expect(c.getByRole("status")).toContainText(/Valid: .* answered in \d+ ms/);
  await expect(c.getByTestId("key-preview")).toContainText("pppp");
  await expect(c.getByRole("status")).toContainText(/Valid/);
});
