import type { Page } from "@playwright/test";
import { expectNoSeriousAxe } from "./axe";
import { expect, test } from "./fixtures";

// Edit and versions through the browser, against the mock upstream: regenerate keeps every
// answer as a version (‹ 3/3 ›, each one reachable, after a reload too); editing a sent message
// sends the edited text with only the turns before it, and the original message with the turns
// below it stays as version 1/2 of that message.

// Each test drives several turns and reloads: 3 minutes, not 60 s, for a loaded machine.
test.describe.configure({ timeout: 180_000 });

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
/** Makes the mock say which model answered, so the versions of one answer differ. */
const ECHO_MODEL = "[[mock-echo-model]]";

type MockRequest = { kind?: string; stream?: boolean; keyLast4?: string; body?: unknown };

/** The user texts of the last streamed generation made with the key ending in `last4`. */
async function lastUpstreamUserTexts(page: Page, last4: string): Promise<string[]> {
  const log = (await (await page.request.get(`${MOCK}/__mock/requests`)).json()) as {
    requests: MockRequest[];
  };
  const last = log.requests.findLast((r) => r.kind === "generate" && r.stream && r.keyLast4 === last4);
  const body = last?.body as { input?: { role: string; content: unknown }[] } | undefined;
  return (body?.input ?? [])
    .filter((m) => m.role === "user")
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : (m.content as { text?: string }[]).map((p) => p.text ?? "").join(""),
    );
}

test("regenerate twice: ‹ 3/3 ›, every version reachable, after a reload too", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-versionsRegen0001");
  await chat.goto();
  await chat.pickModel("openai::gpt-5-mini");
  await chat.send(`Which model are you? ${ECHO_MODEL}`);
  await chat.waitForAnswer(0, "Echo (turn 1 by gpt-5-mini)");

  const answer = chat.answers.first();
  const count = answer.getByTestId("version-count");
  await expect(chat.regenerateButton).toBeVisible();
  await chat.pickModel("openai::gpt-4o-mini");
  await chat.regenerate();
  await chat.waitForAnswer(0, "Echo (turn 1 by gpt-4o-mini)");
  await expect(count).toHaveText(/2\/2/);
  await expect(chat.regenerateButton).toBeVisible();
  await chat.pickModel("openai::gpt-4.1-mini");
  await chat.regenerate();
  await chat.waitForAnswer(0, "Echo (turn 1 by gpt-4.1-mini)");
  await expect(count).toHaveText(/3\/3/);
  await expect(count).toContainText("Version 3 of 3");

  const prev = answer.getByRole("button", { name: "Previous version" });
  const next = answer.getByRole("button", { name: "Next version" });
  await expect(next).toBeDisabled();
  await prev.click();
  await expect(count).toHaveText(/2\/3/);
  await expect(answer).toContainText("Echo (turn 1 by gpt-4o-mini)");
  // Keyboard: the same button again, by Enter (once the branch has loaded and it is enabled).
  await expect(prev).toBeEnabled();
  await prev.focus();
  await expect(prev).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(count).toHaveText(/1\/3/);
  await expect(answer).toContainText("Echo (turn 1 by gpt-5-mini)");
  await expect(answer).not.toContainText("gpt-4.1-mini");
  await expect(answer).toContainText("GPT-5 mini"); // its details line: the model of that version
  await expect(prev).toBeDisabled();
  await expect(chat.answers).toHaveCount(1);
  await expectNoSeriousAxe(page, "an answer with three versions");

  await page.reload();
  const again = chat.answers.first();
  await expect(again).toContainText("Echo (turn 1 by gpt-4.1-mini)");
  await expect(again.getByTestId("version-count")).toHaveText(/3\/3/);
  await again.getByRole("button", { name: "Previous version" }).click();
  await again.getByRole("button", { name: "Previous version" }).click();
  await expect(again.getByTestId("version-count")).toHaveText(/1\/3/);
  await expect(again).toContainText("Echo (turn 1 by gpt-5-mini)");
  await again.getByRole("button", { name: "Next version" }).click();
  await expect(again).toContainText("Echo (turn 1 by gpt-4o-mini)");
});

test("edit a sent message: the edited text goes up without the later turns; the original stays as 1/2", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  const key = "sk-proj-versionsEdit00002";
  await auth.signUp();
  await settings.addKey("OpenAI", key);
  await chat.goto();
  await chat.send("Alpha question");
  await chat.waitForAnswer(0, "Echo (turn 1): Alpha question");
  await chat.send("Beta question");
  await chat.waitForAnswer(1, "Echo (turn 2): Beta question");
  await chat.send("Gamma question");
  await chat.waitForAnswer(2, "Echo (turn 3): Gamma question");
  await expect(chat.regenerateButton).toBeVisible();

  // Edit the second message: Escape cancels first (nothing sent), then Save & send.
  const beta = chat.userMessages.nth(1);
  await beta.hover();
  await beta.getByRole("button", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit message" });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue("Beta question");
  await expectNoSeriousAxe(page, "a sent message in its editor");
  await editor.fill("Beta question, edited");
  await editor.press("Escape");
  await expect(editor).toBeHidden();
  await expect(beta.getByRole("button", { name: "Edit message" })).toBeFocused();
  await expect(chat.userMessages).toHaveCount(3);

  await beta.getByRole("button", { name: "Edit message" }).click();
  await editor.fill("Beta question, edited");
  await page.getByRole("button", { name: "Save & send" }).click();
  await chat.waitForAnswer(1, "Echo (turn 2): Beta question, edited");
  await expect(chat.userMessages).toHaveCount(2);
  await expect(chat.answers).toHaveCount(2);
  await expect(page.getByText("Gamma question")).toHaveCount(0);
  await expect(chat.userMessages.nth(1).getByTestId("version-count")).toHaveText(/2\/2/);
  expect(await lastUpstreamUserTexts(page, key.slice(-4))).toEqual([
    "Alpha question",
    "Beta question, edited",
  ]);

  // A reload shows the edited branch; 1/2 brings back the original with the turns below it.
  await expect(chat.regenerateButton).toBeVisible();
  await page.reload();
  await expect(chat.userMessages).toHaveCount(2);
  const edited = chat.userMessages.nth(1);
  await expect(edited).toContainText("Beta question, edited");
  await expect(edited.getByTestId("version-count")).toHaveText(/2\/2/);
  await expect(chat.answers.nth(1)).toContainText("Echo (turn 2): Beta question, edited");
  await edited.getByRole("button", { name: "Previous version" }).click();
  await expect(chat.userMessages).toHaveCount(3);
  await expect(chat.userMessages.nth(1)).toContainText("Beta question");
  await expect(chat.userMessages.nth(1)).not.toContainText("edited");
  await expect(chat.userMessages.nth(1).getByTestId("version-count")).toHaveText(/1\/2/);
  await expect(chat.answers.nth(2)).toContainText("Echo (turn 3): Gamma question");
  await expectNoSeriousAxe(page, "a message with two versions");

  // Continuing the original branch: the model gets that branch's turns.
  await chat.send("Delta on the original branch");
  await chat.waitForAnswer(3, "Echo (turn 4): Delta on the original branch");
  expect(await lastUpstreamUserTexts(page, key.slice(-4))).toEqual([
    "Alpha question",
    "Beta question",
    "Gamma question",
    "Delta on the original branch",
  ]);
  await page.reload();
  await expect(chat.userMessages).toHaveCount(4);
  await expect(chat.userMessages.nth(1).getByTestId("version-count")).toHaveText(/1\/2/);
});

test("an edit the provider refuses changes nothing: the chat as it was, the edited text still in its editor", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-versionsGood0003");
  await chat.goto();
  await chat.send("First, as sent");
  await chat.waitForAnswer(0, "Echo (turn 1): First, as sent");
  await chat.send("Second, as sent");
  await chat.waitForAnswer(1, "Echo (turn 2): Second, as sent");
  const chatId = chat.chatId();

  // The key is revoked at the provider: the edit is refused before its first token.
  await settings.addKey("OpenAI", "sk-proj-chatE2E-invalid-77aa88bb");
  await chat.goto(chatId);
  const first = chat.userMessages.first();
  await first.hover();
  await first.getByRole("button", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit message" });
  await editor.fill("First, edited");
  await editor.press("Enter");
  await expect(chat.errorBanner(/rejected|invalid/i)).toBeVisible();
  await expect(editor).toHaveValue("First, edited");
  await expect(chat.userMessages).toHaveCount(2);
  await expect(chat.answers).toHaveCount(2);
  await expect(chat.userMessages.nth(1)).toContainText("Second, as sent");
  await expect(chat.composer).toHaveValue("");

  // Nothing of the refused edit was stored: no second version after a reload.
  await page.reload();
  await expect(chat.userMessages).toHaveCount(2);
  await expect(chat.userMessages.first()).toContainText("First, as sent");
  await expect(page.getByTestId("version-count")).toHaveCount(0);
});
