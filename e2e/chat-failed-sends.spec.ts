import type { Page } from "@playwright/test";
import { expect, type Pages, test } from "./fixtures";

// Failed sends, tried as a new user would (issue 12, item 4): whatever the provider answers, the
// user keeps their place: no chat they did not see created, no discarded message coming back,
// the draft kept across the banner's own fix, the rejected key's state, a live title, a
// countdown that ends, and a retry that says it is one.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
const BAD_KEY = "sk-proj-chatE2E-invalid-7777abcd1234";
const GOOD_KEY = "sk-proj-chatE2Efixed0000abcd5678";

/** A new user with an OpenAI key the provider rejects sends `text` from /chat and is refused. */
async function refusedFirstSend(
  { auth, settings, chat }: Pick<Pages, "auth" | "settings" | "chat">,
  text: string,
) {
  await auth.signUp();
  await settings.addKey("OpenAI", BAD_KEY);
  await chat.goto();
  await chat.send(text);
  await expect(chat.errorBanner(/rejected|invalid/i)).toBeVisible();
}

/** The chats the history API lists for the signed-in user. */
async function storedChats(page: Page): Promise<unknown[]> {
  return ((await (await page.request.get("/api/chats")).json()) as { chats: unknown[] }).chats;
}

test("a refused first send leaves no chat in the sidebar or in the history", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await refusedFirstSend({ auth, settings, chat }, "Hello with a bad key");
  // The live view shows no chat: the draft is back in the composer, no message bubble.
  await expect(chat.composer).toHaveValue("Hello with a bad key");
  await expect(chat.userMessages).toHaveCount(0);
  await expect(page).toHaveURL(/\/chat$/);
  // … and so neither does the history, now or after a reload.
  await expect.poll(() => storedChats(page)).toHaveLength(0);
  await expect(page.getByText("Your conversations will appear here.")).toBeVisible();
  await page.reload();
  await expect(page.getByText("Your conversations will appear here.")).toBeVisible();
  await expect(chat.history.links).toHaveCount(0);
});

test("a send refused for quota leaves no chat either, and the draft offers itself again", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2E-quota-9090abab");
  await chat.goto();
  await chat.send("Out of credit?");
  const banner = chat.errorBanner(/quota|credit|billing/i);
  await expect(banner).toBeVisible();
  await expect(banner.getByRole("link", { name: "Check billing" })).toBeVisible();
  await expect(chat.composer).toHaveValue("Out of credit?");
  await expect(chat.userMessages).toHaveCount(0);
  await expect(chat.sendButton).toBeEnabled();
  await expect.poll(() => storedChats(page)).toHaveLength(0);
  await page.reload();
  await expect(chat.history.links).toHaveCount(0);
  await expect(chat.composer).toHaveValue("Out of credit?");
});

test("a rewritten resend after a refused send is the only message after a reload", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await refusedFirstSend({ auth, settings, chat }, "First try, typo'd questoin");

  // The fix the banner offers, then back to the chat: the draft is still there.
  await chat.followBanner("Update API key");
  await expect(page).toHaveURL(/\/settings\/ai$/);
  await settings.saveKey("OpenAI", GOOD_KEY);
  await chat.openFromNav();
  await expect(chat.composer).toHaveValue("First try, typo'd questoin");

  await chat.send("Second try, fixed question");
  await chat.waitForAnswer(0, "Echo (turn 1): Second try, fixed question");
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);
  await page.reload();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(chat.userMessages.first()).toHaveText(/Second try, fixed question/);
  await expect(page.getByText("First try, typo'd questoin")).toHaveCount(0);
  await expect(chat.answers).toHaveCount(1);
  await expect(chat.history.links).toHaveCount(1);
});

test("the draft survives Update API key and back, per chat, until it is sent", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", GOOD_KEY);
  // An existing chat keeps its own draft, apart from a new chat's.
  await chat.goto();
  await chat.send("A first question");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  const chatId = chat.chatId();
  await chat.composer.fill("Half-written follow-up");

  await chat.openFromNav();
  await expect(chat.composer).toHaveValue("");
  await chat.composer.fill("A new chat's draft");
  await page.getByRole("link", { name: "AI settings" }).first().click();
  await expect(page).toHaveURL(/\/settings\/ai$/);
  await chat.openFromNav();
  await expect(chat.composer).toHaveValue("A new chat's draft");

  await chat.goto(chatId);
  await expect(chat.composer).toHaveValue("Half-written follow-up");
  await chat.composer.press("Enter");
  await chat.waitForAnswer(1, "Echo (turn 2): Half-written follow-up");
  await expect(chat.composer).toHaveValue("");
  // Sent: it is gone for good, not restored by the next visit.
  await page.reload();
  await expect(chat.userMessages).toHaveCount(2);
  await expect(chat.composer).toHaveValue("");
});

test("a key marked invalid shows the rejected key with its fix, not first-run onboarding", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await refusedFirstSend({ auth, settings, chat }, "Does my key work?");

  await chat.goto();
  await expect(chat.heading).toHaveText("Your API key was rejected");
  await expect(page.getByRole("main")).toContainText("OpenAI rejected your key");
  await expect(page.getByRole("main").getByRole("link", { name: "Update API key" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add API key" })).toHaveCount(0);
  await expect(chat.composer).toBeDisabled();

  // The fix: a new key, and the chat is open again.
  await page.getByRole("main").getByRole("link", { name: "Update API key" }).click();
  await settings.saveKey("OpenAI", GOOD_KEY);
  await chat.openFromNav();
  await expect(chat.composer).toBeEnabled();
  await expect(chat.heading).toHaveText("What can I help with?");
});

test("the first answer gives the chat its title in the header, the tab and the URL", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", GOOD_KEY);
  await chat.goto();
  await expect(page).toHaveTitle("New chat · BYOK Chat");
  await chat.send("Explain why the sky is blue");
  await chat.waitForAnswer(0, "Echo (turn 1)");
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);
  await expect(chat.history.links).toHaveCount(1);

  // Header, tab and sidebar agree on the title (the first words, then the one the model wrote:
  // the mock's "Echo (turn 1): …"), and none of them says "New chat", without a reload.
  const sidebarTitle = async () => ((await chat.history.links.first().textContent()) ?? "").trim();
  await expect(chat.history.links.first()).toHaveText(/^Echo \(turn 1\)/, { timeout: 20_000 });
  await expect
    .poll(async () => {
      const title = await sidebarTitle();
      return {
        header: ((await chat.heading.textContent()) ?? "").trim() === title,
        tab: (await page.title()) === `${title} · BYOK Chat`,
      };
    })
    .toEqual({ header: true, tab: true });
  await expect(page).not.toHaveTitle(/New chat/);
  await expect(chat.heading).toHaveText(/^Echo \(turn 1\)/);

  // What a reload shows is what the live view showed.
  const shown = await page.title();
  await page.reload();
  await expect(page).toHaveTitle(shown);
});

test("the rate-limit countdown ends cleanly: no stale wait once it reaches 0", async ({
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-chatE2E-ratelimit-1212abab");
  await chat.goto();
  await chat.send("Count me down");
  const banner = chat.errorBanner(/rate/i);
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText(/Try again in \d+ s\./);
  await expect(banner.getByRole("button", { name: /Retry in \d+ s/ })).toBeDisabled();

  await expect(banner).toContainText("You can try again now.", { timeout: 10_000 });
  await expect(banner).not.toContainText(/Try again in/);
  await expect(banner).not.toContainText(/in 0 s/);
  await expect(banner.getByRole("button", { name: "Retry", exact: true })).toBeEnabled();
  await expect(chat.composer).toHaveValue("Count me down");
});

for (const knob of ["ratelimit", "server-error"] as const) {
  test(`while the server retries a busy provider (${knob}) the chat says so`, async ({
    page,
    auth,
    settings,
    chat,
  }) => {
    await auth.signUp();
    await settings.addKey("OpenAI", `sk-proj-chatE2E-${knob}-3434cdcd`);
    await chat.goto();
    await chat.send("Are you busy?");
    await expect(chat.waitingStatus).toContainText("Provider busy, retrying…");
    // The retries run out: the error is reported the same way as a refusal, draft kept, no chat.
    await expect(chat.errorBanner()).toBeVisible({ timeout: 20_000 });
    await expect(chat.waitingStatus).toHaveCount(0);
    await expect(chat.composer).toHaveValue("Are you busy?");
    await expect(chat.userMessages).toHaveCount(0);
    await expect(page).toHaveURL(/\/chat$/);
    await expect
      .poll(async () => ((await (await page.request.get("/api/chats")).json()) as { chats: unknown[] }).chats)
      .toHaveLength(0);
  });
}

test("a refused message in an existing chat is gone after a reload too, and its draft waits for the fix", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", GOOD_KEY);
  await chat.goto();
  await chat.send("A question that works");
  await chat.waitForAnswer(0, "Echo (turn 1): A question that works");
  const chatId = chat.chatId();

  // The key is revoked at the provider: the follow-up is refused.
  await settings.addKey("OpenAI", BAD_KEY);
  await chat.goto(chatId);
  await chat.send("A follow-up the provider refuses");
  await expect(chat.errorBanner(/rejected|invalid/i)).toBeVisible();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(chat.composer).toHaveValue("A follow-up the provider refuses");

  // A reload shows what the live view showed: the first turn only, and the draft; the key is now
  // known to be rejected, and the conversation says so with the fix.
  await page.reload();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(chat.answers).toHaveCount(1);
  await expect(page.getByTestId("message-user").filter({ hasText: "refuses" })).toHaveCount(0);
  await expect(chat.composer).toHaveValue("A follow-up the provider refuses");
  await expect(chat.rejectedNotice).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Update API key" }).click();
  await expect(page).toHaveURL(/\/settings\/ai$/);
  await settings.saveKey("OpenAI", GOOD_KEY);

  // Back in the chat (from the history list), the draft is there to send.
  await chat.openFromHistory(/A question that works|Echo/);
  await expect(chat.composer).toHaveValue("A follow-up the provider refuses");
  await expect(chat.rejectedNotice).toHaveCount(0);
  await chat.composer.press("Enter");
  await chat.waitForAnswer(1, "Echo (turn 2): A follow-up the provider refuses");
  await page.reload();
  await expect(chat.userMessages).toHaveCount(2);
  await expect(chat.composer).toHaveValue("");
});

// A Stop before the first token, once the server has taken the turn (the provider was called):
// the server keeps the message with its stopped answer (exactly once: a duplicate must replay it,
// never call the provider again), and the view shows the same, before and after a reload. (This
// test also caught Stop re-sending the message: the Stop button became the submit button under
// the pointer.)
test("stopping before the first token: the message stays with its stopped answer, the same after a reload", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  // The mock answers its headers and then nothing: the answer never starts.
  const key = "sk-proj-chatE2E-stall-5656efef";
  await settings.addKey("OpenAI", key);
  await chat.goto();
  await chat.send("Never mind");
  await expect(chat.waitingStatus).toBeVisible();
  // The server took the turn once it called the provider.
  await expect
    .poll(async () => {
      const log = (await (await page.request.get(`${MOCK}/__mock/requests`)).json()) as {
        requests: { kind: string; stream?: boolean; keyLast4?: string }[];
      };
      return log.requests.filter((r) => r.kind === "generate" && r.stream && r.keyLast4 === key.slice(-4))
        .length;
    })
    .toBe(1);
  await chat.stop();
  await expect(chat.stopButton).toHaveCount(0);
  await expect(page.getByText("Stopped before the answer started.")).toBeVisible();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(chat.composer).toHaveValue("");
  await expect(page).toHaveURL(/\/chat\/[\w-]+$/);
  await expect.poll(() => storedChats(page)).toHaveLength(1);
  await page.reload();
  await expect(chat.userMessages).toHaveCount(1);
  await expect(page.getByText("Stopped before the answer started.")).toBeVisible();
  await expect(chat.composer).toHaveValue("");
});

test("a draft belongs to its user: the next account signed in in the same tab starts empty", async ({
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", GOOD_KEY);
  await chat.goto();
  await chat.composer.fill("Something private, half typed");
  await chat.goto();
  await expect(chat.composer).toHaveValue("Something private, half typed");

  await auth.signOut();
  await auth.signUp();
  await settings.addKey("OpenAI", GOOD_KEY);
  await chat.goto();
  await expect(chat.composer).toBeEnabled();
  await expect(chat.composer).toHaveValue("");
});
