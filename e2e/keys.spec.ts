import { expect, type ProviderName, test } from "./fixtures";

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

// Each save and Test now also reads the key's model list (up to 5 s each at the mock): a whole
// add → test → reload → replace → toggle → remove flow needs more than the suite's 60 s when
// the machine is loaded (OpenAI and Groq took 56–59 s, Gemini timed out).
test.describe.configure({ timeout: 120_000 });

// Fake keys in each provider's shape; the words in them select the mock upstream's behaviour.
const PROVIDERS: { name: ProviderName; good: string; preview: string; bad: string }[] = [
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
];

// Every test here starts as a new user, signed up through the form.
test.beforeEach(async ({ auth }) => {
  await auth.signUp();
});

for (const p of PROVIDERS) {
  test(`${p.name}: add, test, reload, replace with a bad key, toggle, remove`, async ({ page, settings }) => {
    await settings.goto();
    const c = settings.card(p.name);
    await expect(c.status).toHaveText(/not set/i);

    await c.saveKey(p.good);
    await c.testKey();
    await expect(c.testResult).toContainText(/Valid: .* answered in \d+ ms/);
    await expect(c.status).toHaveText(/active/i);

    // Persisted: after a reload only the masked preview is shown, never the key.
    await page.reload();
    await expect(c.preview).toHaveText(p.preview);
    expect(await page.content()).not.toContain(p.good);

    // A failed test marks the key invalid but keeps it.
    await c.saveKey(p.bad);
    await c.testKey();
    await expect(c.testResult).toContainText(/rejected this API key/);
    await expect(c.status).toHaveText(/invalid/i);
    await page.reload();
    await expect(c.preview).toContainText(p.bad.slice(-4));

    await expect(c.personalKeySwitch).toHaveAttribute("aria-checked", "true");
    await c.toggle();
    await expect(c.personalKeySwitch).toHaveAttribute("aria-checked", "false");
    await page.reload();
    await expect(c.personalKeySwitch).toHaveAttribute("aria-checked", "false");
    await expect(c.preview).toContainText(p.bad.slice(-4));
    await c.toggle();
    await expect(c.personalKeySwitch).toHaveAttribute("aria-checked", "true");

    await c.remove();
    await expect(c.status).toHaveText(/not set/i);
    await page.reload();
    await expect(c.status).toHaveText(/not set/i);

    // The activity log recorded each change.
    for (const action of [
      "Key added",
      "Key tested: valid",
      "Key replaced",
      "Key tested: invalid key",
      "Personal key off",
      "Personal key on",
      "Key removed",
    ]) {
      await expect(settings.activity.getByText(action).first()).toBeVisible();
    }
  });
}

test("an OpenAI-compatible endpoint pointing at the mock works", async ({ page, settings }) => {
  await settings.goto();
  const c = await settings.saveKey("OpenAI-compatible", "sk-compat-e2eGOODkey5656mmmm7878", {
    name: "Mock gateway",
    baseUrl: `${MOCK}/compat/v1`,
  });
  await c.testKey();
  await expect(c.testResult).toContainText(/Valid/);
  await page.reload();
  await expect(c.preview).toContainText("7878");
  await expect(c.baseUrl).toHaveValue(`${MOCK}/compat/v1`);
});

test("testing a typed key before saving does not save it", async ({ page, settings }) => {
  await settings.goto();
  const c = await settings.testKey("OpenAI", "sk-proj-e2e-quota-KEY9090nnnn1212");
  await expect(c.testResult).toContainText(/no credit or quota left/);
  await expect(c.root.getByRole("link", { name: /check billing/i })).toBeVisible();
  await page.reload();
  await expect(c.status).toHaveText(/not set/i);
});

test("Test pressed the moment a first key is saved keeps its result", async ({ settings }) => {
  await settings.goto();
  // No wait for the refreshed card: click Test as soon as Save is done.
  const c = await settings.saveKey("Groq", "gsk_e2eFASTtestKEY4545oooo6767pppp", { settle: false });
  await c.testKey();
  await expect(c.testResult).toContainText(/Valid: .* answered in \d+ ms/);
  await expect(c.preview).toContainText("pppp");
  await expect(c.testResult).toContainText(/Valid/);
});
