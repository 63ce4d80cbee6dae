import type { Page } from "@playwright/test";
import { expectNoSeriousAxe } from "./axe";
import { expect, test } from "./fixtures";

// Spending limits per key, through the browser against the mock upstream: two OpenAI keys, a
// tiny token limit on the first → the turn skips it (no request to it) and the second answers,
// named on the answer; a limit on both → BUDGET_EXCEEDED, whose "Spending limits" button opens
// the first key's own limits. The limits UI has no serious or critical axe finding.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

type Logged = { keyLast4: string | null; kind: string; body: Record<string, unknown> | null };

async function generations(page: Page, last4: string): Promise<number> {
  const res = await page.request.get(`${MOCK}/__mock/requests`);
  const { requests } = (await res.json()) as { requests: Logged[] };
  return requests.filter((r) => r.keyLast4 === last4 && r.kind === "generate").length;
}

/** Four characters no other test's key ends with (the mock counts requests by a key's last 4). */
const tail = () => `${Math.random().toString(36).slice(2, 5)}${Date.now().toString(36).slice(-1)}`;

test.describe.configure({ timeout: 180_000 });

test("a key at its own limit is skipped for the next key; every key at its limit → BUDGET_EXCEEDED with a link to the key's limits", async ({
  page,
  user: _user,
  baseURL,
  settings,
  chat,
}) => {
  const t1 = tail();
  const t2 = tail();
  await settings.goto();
  const card = await settings.saveKey("OpenAI", `sk-proj-e2eKeyLimitsFirst00${t1}`);
  const more = card.root.getByRole("region", { name: "More OpenAI keys" });
  await more.getByRole("button", { name: "Add another key" }).click();
  await more.getByLabel("Name (optional)").fill("Spare");
  await more.getByLabel("API key").fill(`sk-proj-e2eKeyLimitsSpare00${t2}`);
  await more.getByRole("button", { name: "Add key" }).click();
  await expect(
    more.getByRole("list", { name: /in the order chats try them/ }).getByRole("listitem"),
  ).toHaveCount(1);

  // Limits per key: each key listed, none with limits of its own yet.
  const perKey = card.root.getByRole("region", { name: "Limits per key" });
  const items = perKey.getByTestId("key-limits");
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText("1. Key 1");
  await expect(items.nth(1)).toContainText("2. Spare");
  await expect(items.nth(0)).toContainText("No limits of its own");

  // A tiny daily token limit on the first key.
  const open = items.nth(0).getByRole("button", { name: /^(Set|Hide) limits for Key 1/ });
  await expect(open).toHaveAccessibleName(/^Set limits/);
  await open.click();
  await expect(open).toHaveAttribute("aria-expanded", "true");
  await expect(open).toHaveAccessibleName(/^Hide limits/);
  const first = items.nth(0).getByRole("group", { name: /^Limits of Key 1/ });
  await first.getByLabel("Daily limit (tokens)").fill("10");
  await first.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByText(/^Limits of Key 1 .* saved\.$/)).toBeVisible();
  await expect(items.nth(0)).toContainText("today 0 tokens of 10 tokens");
  // Focus stays on the control pressed.
  await expect(first.getByRole("button", { name: "Save limits" })).toBeFocused();

  // The limits UI, open: no critical or serious axe finding.
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  await expectNoSeriousAxe(page);

  // The per-key API reads the same limits; the provider address keeps meaning provider-wide.
  const listed = (await (await page.request.get("/api/keys")).json()) as {
    keys: { id: string | null; provider: string; last4: string | null }[];
  };
  const firstId = listed.keys.find((k) => k.last4 === t1)?.id as string;
  const own = (await (await page.request.get(`/api/keys/${firstId}/limits`)).json()) as {
    keyId: string;
    limits: { period: string; unit: string; amount: number }[];
  };
  expect(own).toMatchObject({ keyId: firstId, limits: [{ period: "day", unit: "tokens", amount: 10 }] });
  const wide = (await (await page.request.get("/api/keys/openai/limits")).json()) as { limits: unknown[] };
  expect(wide.limits).toEqual([]);
  // Not the caller's key: 404 before the body is read; a bad body: 400 with its code.
  const origin = { origin: new URL(baseURL as string).origin };
  const foreign = await page.request.put("/api/keys/cmnotakeyofthisuser0000000/limits", {
    headers: origin,
    data: { dayTokens: 5 },
  });
  expect(foreign.status()).toBe(404);
  const bad = await page.request.put(`/api/keys/${firstId}/limits`, {
    headers: origin,
    data: { dayTokens: -1 },
  });
  expect([bad.status(), ((await bad.json()) as { code: string }).code]).toEqual([400, "VALIDATION_FAILED"]);

  await chat.goto();
  await chat.pickModel("openai::gpt-4.1-mini");
  await chat.send("Hello key limits");
  await chat.waitForAnswer(0, "Echo (turn 1): Hello key limits");
  await expect(await chat.details(0)).toContainText(`Your personal key · Spare …${t2}`);
  expect(await generations(page, t1)).toBe(0);
  // The answer (and the new chat's title, made on the same key) came from the second key.
  const spareCalls = await generations(page, t2);
  expect(spareCalls).toBeGreaterThanOrEqual(1);

  // A limit on the second key too: nothing is sent, the banner links to the first key's limits.
  await settings.goto();
  await expect(page.getByRole("region", { name: "Activity", exact: true })).toContainText(
    "Next key took over: key at its own spending limit",
  );
  const spare = settings
    .card("OpenAI")
    .root.getByRole("region", { name: "Limits per key" })
    .getByTestId("key-limits")
    .nth(1);
  await spare.getByRole("button", { name: /^Set limits for Spare/ }).click();
  await spare
    .getByRole("group", { name: /^Limits of Spare/ })
    .getByLabel("Daily limit (tokens)")
    .fill("10");
  await spare.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByText(/^Limits of Spare .* saved\.$/)).toBeVisible();
  await expect(spare).toContainText(/today [\d,]+ tokens of 10 tokens/);

  await chat.goto();
  // The chat warns about a key's own limit too (80% or more), linking to that key's limits.
  const warning = page.getByRole("status").filter({
    hasText: `You reached your daily limit on your OpenAI key “Spare …${t2}”`,
  });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole("link", { name: "Spending limits" })).toHaveAttribute(
    "href",
    /\/settings\/ai#limits-key-/,
  );
  await chat.pickModel("openai::gpt-4.1-mini");
  await chat.send("Hello over both limits");
  await expect(chat.errorBanner(/Every OpenAI key you can use is at its own spending limit/)).toBeVisible();
  expect(await generations(page, t1)).toBe(0);
  expect(await generations(page, t2)).toBe(spareCalls);
  await chat.followBanner("Spending limits");
  await expect(page).toHaveURL(new RegExp(`/settings/ai#limits-key-${firstId}$`));
  const target = page.locator(`#limits-key-${firstId}`);
  await expect(target.getByLabel("Daily limit (tokens)")).toHaveValue("10");
  await expect(target.getByRole("button", { name: /^Hide limits for Key 1/ })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
});
