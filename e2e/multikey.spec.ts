import type { Page } from "@playwright/test";
import { expectNoSeriousAxe } from "./axe";
import { expect, test } from "./fixtures";

// Several keys per provider, through the browser against the mock upstream: a second key is
// added on the provider's card; the first key answers 429 (its text says "ratelimit": the
// mock's knob), so the turn passes to the second before the first token — one answer, the
// second key named on it, the switch in the activity log — and the order can be changed. Every
// key, the first included, is renamed from the page.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

type Logged = { keyLast4: string | null; kind: string; body: Record<string, unknown> | null };

async function generations(page: Page, last4: string, text: string): Promise<number> {
  const res = await page.request.get(`${MOCK}/__mock/requests`);
  const { requests } = (await res.json()) as { requests: Logged[] };
  return requests.filter(
    (r) => r.keyLast4 === last4 && r.kind === "generate" && JSON.stringify(r.body).includes(text),
  ).length;
}

test.describe.configure({ timeout: 180_000 });

test("a rate-limited key hands the turn to the next key: one answer, the right key shown", async ({
  page,
  user: _user,
  settings,
  chat,
}) => {
  await settings.goto();
  const card = await settings.saveKey("OpenAI", "sk-proj-e2eRatelimitKey00mk01");

  // The second key, with a name, from the card's "Add another key".
  const more = card.root.getByRole("region", { name: "More OpenAI keys" });
  await more.getByRole("button", { name: "Add another key" }).click();
  await expect(more.getByLabel("Name (optional)")).toBeFocused();
  await more.getByLabel("Name (optional)").fill("Spare");
  await more.getByLabel("API key").fill("sk-proj-e2eSpareKeyAbcd00mk02");
  await more.getByRole("button", { name: "Add key" }).click();
  const list = more.getByRole("list", { name: /in the order chats try them/ });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list.getByRole("listitem").first()).toContainText("2. Spare");
  await expect(list.getByRole("listitem").first()).toContainText("…mk02");
  await expect(more.getByRole("button", { name: "Add another key" })).toBeFocused();

  // Every key can be renamed from the page, the first one included: focus comes back to Rename.
  await card.root.getByRole("button", { name: "Rename: Key 1" }).click();
  const newName = card.root.getByLabel("New name for Key 1");
  await expect(newName).toBeFocused();
  await newName.fill("Main");
  await card.root.getByRole("button", { name: "Save name" }).click();
  await expect(card.root.getByRole("button", { name: "Rename: Main" })).toBeFocused();
  await expect(card.root.getByText("Main", { exact: true })).toBeVisible();
  await list.getByRole("button", { name: "Rename: Spare" }).click();
  await list.getByLabel("New name for Spare").fill("Spare two");
  await list.getByLabel("New name for Spare").press("Enter");
  await expect(list.getByRole("listitem").first()).toContainText("2. Spare two");
  await expect(list.getByRole("button", { name: "Rename: Spare two" })).toBeFocused();
  // Cleared again (an empty name), then back to Spare: the name is what the answer shows below.
  await list.getByRole("button", { name: "Rename: Spare two" }).click();
  await list.getByLabel("New name for Spare two").fill("");
  await list.getByRole("button", { name: "Save name" }).click();
  await expect(list.getByRole("listitem").first()).toContainText("2. Key 2");
  await list.getByRole("button", { name: "Rename: Key 2" }).click();
  await list.getByLabel("New name for Key 2").fill("Spare");
  await list.getByRole("button", { name: "Save name" }).click();
  await expect(list.getByRole("listitem").first()).toContainText("2. Spare");

  // The card with a second key: no critical or serious axe finding (the a11y spec's rules).
  await expectNoSeriousAxe(page);

  // GET /api/keys lists both, each with its id, in order; one key is addressed by its id.
  const listed = (await (await page.request.get("/api/keys")).json()) as {
    keys: { id: string | null; provider: string; position: number | null; last4: string | null }[];
  };
  const openai = listed.keys.filter((k) => k.provider === "openai");
  expect((await (await page.request.get("/api/keys/openai")).json()).key).toMatchObject({ label: "Main" });
  expect(openai.map((k) => [k.position, k.last4])).toEqual([
    [0, "mk01"],
    [1, "mk02"],
  ]);
  const spareId = openai[1]?.id as string;
  const byId = (await (await page.request.get(`/api/keys/${spareId}`)).json()) as {
    key: { label: string; last4: string };
  };
  expect(byId.key).toMatchObject({ label: "Spare", last4: "mk02" });
  expect((await page.request.get("/api/keys/openai")).ok()).toBe(true);
  expect((await page.request.get("/api/keys/cmnotakeyofthisuser0000000")).status()).toBe(404);

  await chat.goto();
  await chat.pickModel("openai::gpt-4.1-mini");
  await chat.send("Hello failover");
  await chat.waitForAnswer(0, "Echo (turn 1): Hello failover");
  await expect(chat.answers).toHaveCount(1);
  const details = await chat.details(0);
  await expect(details).toContainText("Your personal key · Spare …mk02");
  // The limited key was asked once (no backoff on it), the spare answered.
  expect(await generations(page, "mk01", "Hello failover")).toBe(1);
  expect(await generations(page, "mk02", "Hello failover")).toBeGreaterThanOrEqual(1);

  // The answer keeps naming its key after a reload (stored with the answer).
  await page.reload();
  await chat.waitForAnswer(0, "Echo (turn 1): Hello failover");
  await expect(await chat.details(0)).toContainText("Spare …mk02");

  // The switch is in the activity log; the spare can be made the first key.
  await settings.goto();
  await expect(page.getByRole("region", { name: "Activity", exact: true })).toContainText(
    "Next key took over",
  );
  const again = settings.card("OpenAI").root.getByRole("region", { name: "More OpenAI keys" });
  await again.getByRole("button", { name: "Make first: Spare" }).click();
  await expect(page.getByText("Spare is now your first OpenAI key.")).toBeVisible();
  // It left the list of further keys: focus is on "Add another key", not lost to the page.
  await expect(again.getByRole("button", { name: "Add another key" })).toBeFocused();
  await expect(settings.card("OpenAI").preview).toContainText("mk02");
  await expect(again.getByRole("listitem").first()).toContainText("…mk01");
});
