import type { Page } from "@playwright/test";
import { expectNoSeriousAxe } from "./axe";
import { expect, test } from "./fixtures";

// Several named OpenAI-compatible endpoints, through the browser against the mock upstream: a
// second endpoint (its own name, base URL and key) is added on the card; the chat's picker lists
// its model under its name; choosing it runs the turn at the second base URL; the answer names
// the endpoint, and a reload keeps the endpoint selected (from the answer's key). Each endpoint
// takes more keys of its own; replacing the first endpoint's key with another's URL is refused.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

type Logged = { path: string; keyLast4: string | null; kind: string; body: Record<string, unknown> | null };

async function generations(page: Page, text: string): Promise<Logged[]> {
  const res = await page.request.get(`${MOCK}/__mock/requests`);
  const { requests } = (await res.json()) as { requests: Logged[] };
  return requests.filter((r) => r.kind === "generate" && JSON.stringify(r.body).includes(text));
}

async function listModels(key: string, models: string[]) {
  const res = await fetch(`${MOCK}/__mock/models`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key, models }),
  });
  expect(res.status).toBe(204);
}

test.describe.configure({ timeout: 180_000 });

test("a second endpoint: added in settings, its model picked in the chat, answered there, kept on reload", async ({
  page,
  user: _user,
  settings,
  chat,
}) => {
  const betaKey = "sk-e2eBetaEndpointKey00ep02";
  await listModels(betaKey, ["beta-llama"]);
  await settings.goto();
  await settings.saveKey("OpenAI-compatible", "sk-e2eAlphaEndpointKey00ep01", {
    name: "Alpha",
    baseUrl: `${MOCK}/compat/v1`,
  });

  const card = settings.card("OpenAI-compatible");
  const endpoints = card.root.getByRole("region", { name: "More endpoints" });
  await endpoints.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpoints.getByLabel("Name")).toBeFocused();
  // A name is required, and must not be another endpoint's.
  await endpoints.getByLabel("Base URL").fill(`${MOCK}/second/v1`);
  await endpoints.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpoints.getByText("Name the endpoint (for example Ollama).")).toBeVisible();
  await endpoints.getByLabel("Name").fill("alpha");
  await endpoints.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpoints.getByText(/already have an endpoint named “Alpha”/)).toBeVisible();
  await endpoints.getByLabel("Name").fill("Beta");
  await endpoints.getByLabel("API key (optional)").fill(betaKey);
  await endpoints.getByRole("button", { name: "Add endpoint" }).click();
  const item = endpoints.getByTestId("endpoint");
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("Beta");
  await expect(item).toContainText("…ep02");
  await expect(item).toContainText(`127.0.0.1:${new URL(MOCK).port}`);
  await expect(endpoints.getByRole("button", { name: "Add endpoint" })).toBeFocused();
  await item.getByRole("button", { name: "Test: Beta" }).click();
  await expect(item).toContainText(/Valid/);

  // Another key for Beta, from Beta's own "Add another key": it joins Beta (its URL), second.
  await item.getByRole("button", { name: "Add another key to Beta" }).click();
  await expect(item.getByLabel("Name (optional)")).toBeFocused();
  await item.getByLabel("Name (optional)").fill("Beta spare");
  await item.getByLabel("API key").fill("sk-e2eBetaSpareKey000ep03");
  await item.getByRole("button", { name: "Add key" }).click();
  const betaKeys = item.getByRole("list", { name: "More keys of Beta, in the order chats try them" });
  await expect(betaKeys.getByRole("listitem")).toHaveCount(1);
  await expect(betaKeys.getByRole("listitem")).toContainText("2. Beta spare");
  await expect(betaKeys.getByRole("listitem")).toContainText("…ep03");
  await expect(item).toContainText("2 keys");
  await expect(item.getByRole("button", { name: "Add another key to Beta" })).toBeFocused();
  await expect(endpoints.getByTestId("endpoint")).toHaveCount(1);

  // Renaming the endpoint follows the endpoint rules (the error on the field); Cancel returns focus.
  await item.getByRole("button", { name: "Rename: Beta", exact: true }).click();
  await item.getByLabel("New name for Beta").fill("ALPHA");
  await item.getByRole("button", { name: "Save name" }).click();
  await expect(item.getByLabel("New name for Beta")).toHaveAccessibleDescription(
    /already have an endpoint named “Alpha”/,
  );
  await expect(item.getByLabel("New name for Beta")).toBeFocused();
  await item.getByRole("button", { name: "Cancel" }).click();
  await expect(item.getByRole("button", { name: "Rename: Beta", exact: true })).toBeFocused();

  // Replacing Alpha's key on the card with Beta's base URL would merge the two: refused on the
  // field, naming Beta; nothing changes.
  await card.saveKey("sk-e2eAlphaReplacedKey0ep09", { baseUrl: `${MOCK}/second/v1`, settle: false });
  await expect(card.baseUrl).toHaveAccessibleDescription(/That is the base URL of your endpoint “Beta”/);
  await expect(card.preview).toContainText("ep01");
  await expect(item).toContainText("2 keys");
  // Its own URL kept: the key is replaced on Alpha.
  await card.saveKey("sk-e2eAlphaReplacedKey0ep09", { baseUrl: `${MOCK}/compat/v1` });
  await expect(card.baseUrl).toHaveValue(`${MOCK}/compat/v1`);
  await expect(endpoints.getByTestId("endpoint")).toHaveCount(1);
  await expect(item).toContainText("…ep02");

  // With a second key on Alpha, typing another base URL on the card says that only the key typed
  // there would move (a stored key is never sent to a new URL); its own URL back, no such note.
  const alphaMore = card.root.getByRole("region", { name: "More OpenAI-compatible keys" });
  await alphaMore.getByRole("button", { name: "Add another key" }).click();
  await alphaMore.getByLabel("API key").fill("sk-e2eAlphaSpareKey00ep03");
  await alphaMore.getByRole("button", { name: "Add key" }).click();
  await expect(alphaMore.getByRole("listitem")).toHaveCount(1);
  await card.baseUrl.fill(`${MOCK}/third/v1`);
  await expect(card.baseUrl).toHaveAccessibleDescription(
    /Only the key you enter here moves to this URL\. Your other key for this endpoint stays at 127\.0\.0\.1:\d+: enter each again/,
  );
  await card.baseUrl.fill(`${MOCK}/compat/v1`);
  await expect(card.baseUrl).not.toHaveAccessibleDescription(/Only the key you enter here/);

  // The card with a second endpoint: no critical or serious axe finding (the a11y spec's rules).
  await expectNoSeriousAxe(page);

  await chat.goto();
  await chat.chooseModel("beta-llama");
  await expect(chat.modelPicker).toHaveAccessibleName(/Beta.*beta-llama/);
  await chat.send("Hello second endpoint");
  await chat.waitForAnswer(0, "Echo (turn 1): Hello second endpoint");
  await expect(await chat.details(0)).toContainText("Your personal key · Beta");
  const seen = await generations(page, "Hello second endpoint");
  // The answer (and the first turn's title) asked at the second base URL with its key, never the first.
  expect(seen.length).toBeGreaterThanOrEqual(1);
  expect([...new Set(seen.map((r) => `${r.path.split("/")[1]} ${r.keyLast4}`))]).toEqual(["second ep02"]);

  // Reload: the endpoint stays selected, and the next turn goes there too.
  await page.reload();
  await chat.waitForAnswer(0, "Echo (turn 1): Hello second endpoint");
  await expect(chat.modelPicker).toHaveAccessibleName(/Beta.*beta-llama/);
  await chat.send("Again on Beta");
  await chat.waitForAnswer(1, "Again on Beta");
  const again = await generations(page, "Again on Beta");
  expect(again.length).toBeGreaterThanOrEqual(1);
  expect([...new Set(again.map((r) => r.path.split("/")[1]))]).toEqual(["second"]);
});
