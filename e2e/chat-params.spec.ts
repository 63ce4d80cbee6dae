import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// Instructions and parameters, and reasoning, through the browser against the mock upstream:
// what the user sets arrives upstream in each provider's own wire format (read back from the
// mock's request log), shows on each answer's details, and survives a reload.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

type Logged = { keyLast4: string | null; kind: string; body: Record<string, unknown> | null };

/**
 * The body of the first generation the mock received for a key ending in `last4` that carried
 * `text`: the chat turn's (a new chat's title request follows it with the same key and text).
 */
async function upstreamBody(page: Page, last4: string, text: string): Promise<Record<string, unknown>> {
  const res = await page.request.get(`${MOCK}/__mock/requests`);
  const { requests } = (await res.json()) as { requests: Logged[] };
  const body = requests.find(
    (r) => r.keyLast4 === last4 && r.kind === "generate" && JSON.stringify(r.body).includes(text),
  )?.body;
  if (!body) throw new Error(`no generation for …${last4}`);
  return body;
}

// Three providers, a settings dialog and several turns each: longer than the suite's 60 s on a
// loaded 2-core machine (the reasoning test took 59 s there).
test.describe.configure({ timeout: 180_000 });

test("instructions and parameters reach OpenAI, Groq and Gemini in their wire formats and show on each answer", async ({
  page,
  user: _user,
  settings,
  chat,
}) => {
  await settings.goto();
  await settings.saveKey("Groq", "gsk_e2eParamsGroq0000pq01");
  await settings.saveKey("Google Gemini", "AIzaE2eParamsGoogle00pq02");
  await settings.saveKey("OpenAI", "sk-proj-e2eParamsOpenai0pq03");
  await settings.saveDefaultInstructions("Use metric units.");

  // A new chat: the settings are kept in the page and travel with the first message.
  await chat.goto();
  await chat.pickModel("groq::llama-3.3-70b-versatile");
  await chat.saveSettings({ temperature: "0.7", maxOutput: "300" });
  await expect(chat.settingsButton).toHaveAccessibleName("Chat settings (customised)");
  await chat.send("How tall is a giraffe?");
  await chat.waitForAnswer(0, "Echo (turn 1): How tall is a giraffe?");
  const groq = await upstreamBody(page, "pq01", "How tall is a giraffe?");
  expect((groq.messages as unknown[])[0]).toEqual({ role: "system", content: "Use metric units." });
  expect(groq).toMatchObject({ temperature: 0.7, max_tokens: 300 });
  const details = await chat.details(0);
  await expect(details).toContainText("Yes (your default)");
  await expect(details).toContainText("0.7");
  await expect(details).toContainText("300 tokens");
  await expect(details).toContainText("Your personal key");

  // An existing chat saves at once: its own instructions win over the default.
  await chat.saveSettings({ instructions: "Answer like a pirate." });
  await page.reload();
  await chat.settingsButton.click();
  await expect(
    chat.settingsDialog.getByRole("textbox", { name: "Instructions (system prompt)" }),
  ).toHaveValue("Answer like a pirate.");
  await expect(chat.settingsDialog.getByRole("spinbutton", { name: "Temperature" })).toHaveValue("0.7");
  await chat.settingsDialog.getByRole("button", { name: "Cancel" }).click();

  await chat.pickModel("google::gemini-2.5-flash");
  await chat.send("And an elephant?");
  await chat.waitForAnswer(1, "Echo (turn 2): And an elephant?");
  const gemini = await upstreamBody(page, "pq02", "And an elephant?");
  expect(gemini.systemInstruction).toEqual({ parts: [{ text: "Answer like a pirate." }] });
  expect(gemini.generationConfig).toMatchObject({ temperature: 0.7, maxOutputTokens: 300 });
  await expect(await chat.details(1)).toContainText("Yes (this chat's)");

  await chat.pickModel("openai::gpt-4.1-mini");
  await chat.send("And a whale?");
  await chat.waitForAnswer(2, "Echo (turn 3): And a whale?");
  const openai = await upstreamBody(page, "pq03", "And a whale?");
  expect((openai.input as unknown[])[0]).toEqual({ role: "system", content: "Answer like a pirate." });
  expect(openai).toMatchObject({ temperature: 0.7, max_output_tokens: 300 });

  // Out of range is refused in the dialog, with the reason, and nothing changes.
  await chat.settingsButton.click();
  await chat.settingsDialog.getByRole("spinbutton", { name: "Max output tokens" }).fill("40000");
  await chat.settingsDialog.getByRole("button", { name: "Save" }).click();
  await expect(chat.settingsDialog).toContainText("from 1 to 32,768");
  await expect(chat.settingsDialog.getByRole("spinbutton", { name: "Max output tokens" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(chat.settingsDialog).toBeHidden();

  // No instructions: the chat is sent without any, not even the default.
  await chat.settingsButton.click();
  await chat.settingsDialog.getByRole("checkbox", { name: "No instructions" }).check();
  await expect(
    chat.settingsDialog.getByRole("textbox", { name: "Instructions (system prompt)" }),
  ).toBeDisabled();
  await chat.settingsDialog.getByRole("button", { name: "Save" }).click();
  await expect(chat.settingsDialog).toBeHidden();
  await chat.send("And a mouse?");
  await chat.waitForAnswer(3, "Echo (turn 4): And a mouse?");
  const none = await upstreamBody(page, "pq03", "And a mouse?");
  const roles = (none.input as { role?: string }[]).map((m) => m.role);
  expect(roles).not.toContain("system");
  expect(roles).not.toContain("developer");
  await page.reload();
  await chat.settingsButton.click();
  await expect(chat.settingsDialog.getByRole("checkbox", { name: "No instructions" })).toBeChecked();
  await chat.settingsDialog.getByRole("button", { name: "Cancel" }).click();
});

test("reasoning streams live under Thinking…, is counted, and is still there after a reload", async ({
  page,
  user: _user,
  settings,
  chat,
}) => {
  // `slow` spaces the frames, `reasoning` makes the answer start with Groq's reasoning deltas.
  await settings.addKey("Groq", "gsk_e2e_reasoning_slow_00rz01");
  await chat.goto();
  await chat.pickModel("groq::openai/gpt-oss-20b");
  await chat.send("Why is the sky blue?");

  const block = chat.reasoning(0);
  await expect(block.getByText("Thinking…")).toBeVisible();
  // Opened while it streams: the thoughts so far are readable.
  await block.getByText("Thinking…").click();
  await expect(block).toContainText("Thinking (turn 1)");
  await chat.waitForAnswer(0, "Echo (turn 1): Why is the sky blue?");
  await expect(chat.regenerateButton).toBeVisible({ timeout: 20_000 });
  await expect(block.getByText("Thoughts")).toBeVisible();
  await expect(block).toContainText('the user wrote "Why is the sky blue?"');
  // The mock sends 12 answer tokens and 6 reasoning tokens.
  await expect(await chat.details(0)).toContainText("18 (6 reasoning)");

  await page.reload();
  const after = chat.reasoning(0);
  await expect(after.getByText("Thoughts")).toBeVisible();
  // Collapsed after a reload; opened with the keyboard.
  await expect(after.getByText("Thinking (turn 1)")).toBeHidden();
  await after.getByText("Thoughts").focus();
  await page.keyboard.press("Enter");
  await expect(after).toContainText('Thinking (turn 1): the user wrote "Why is the sky blue?"');
  await expect(chat.answers.first()).toContainText("Echo (turn 1): Why is the sky blue?");
  await expect(await chat.details(0)).toContainText("18 (6 reasoning)");
});
