import { readFile } from "node:fs/promises";
import { expect, PASSWORD, test, uniqueEmail } from "./fixtures";
import { ProfilePage } from "./pages/profile-page";

// The profile page's flows through the browser, on the suite's server (no SMTP_URL: an email
// change applies once the password is checked).

test("change the display name: shown in the account menu", async ({ page, user }) => {
  void user;
  const profile = new ProfilePage(page);
  await profile.openFromAccountMenu();
  // An invisible direction override would disguise the name: refused at the boundary, and focus
  // goes to the field that needs fixing.
  await profile.setName("Ada\u202Eecalevol");
  await expect(profile.section("Display name").getByRole("alert")).toContainText("punctuation only");
  await expect(profile.section("Display name").getByLabel("Name")).toBeFocused();

  await profile.setName("  Ada   Lovelace ");
  await expect(profile.accountMenuTrigger).toContainText("Ada Lovelace");
  await page.reload();
  await expect(profile.section("Display name").getByLabel("Name")).toHaveValue("Ada Lovelace");
});

test("change the email with the password; sign in with the new one", async ({ page, auth, user }) => {
  const profile = new ProfilePage(page);
  await profile.goto();
  const next = uniqueEmail("moved");

  await profile.changeEmail(next, "not my password");
  await expect(profile.section("Email").getByLabel("Current password")).toBeFocused();
  await expect(profile.section("Email").getByRole("alert")).toContainText("not correct");

  await profile.changeEmail(next, user.password);
  await expect(profile.emailStatus).toHaveText(`Your email is now ${next}.`);
  await expect(profile.emailStatus).toBeFocused();
  await expect(profile.accountMenuTrigger).toContainText(next);

  await auth.signOut();
  await auth.signIn(user.email, user.password);
  await expect(auth.alert).toBeVisible();
  await auth.signIn(next, user.password);
  await expect(page).toHaveURL(/\/chat/);
});

test("export downloads a JSON file with the chat and without the key", async ({
  page,
  user,
  settings,
  chat,
}) => {
  void user;
  const KEY = "sk-proj-profileExport00aaaa2222";
  await settings.addKey("OpenAI", KEY);
  await chat.goto();
  await chat.send("Remember the profile export test");
  await chat.waitForAnswer(0, /Echo \(turn 1\): Remember the profile export test/);

  const profile = new ProfilePage(page);
  await profile.goto();
  const download = await profile.downloadExport();
  expect(download.suggestedFilename()).toMatch(/^byok-chat-export-\d{4}-\d{2}-\d{2}\.json$/);
  const text = await readFile(await download.path(), "utf8");
  const doc = JSON.parse(text);
  expect(doc.format).toBe("byok-chat-export");
  const messages = doc.chats.flatMap((c: { messages: { role: string; content: string }[] }) => c.messages);
  expect(messages).toContainEqual(
    expect.objectContaining({ role: "user", content: "Remember the profile export test" }),
  );
  expect(doc.keys).toEqual([expect.objectContaining({ provider: "openai", preview: "sk-proj-…2222" })]);
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(KEY.slice(8, -4));
});

test("delete the account: signed out, sign-in fails, the old cookie is refused", async ({
  page,
  auth,
  user,
  request,
}) => {
  const profile = new ProfilePage(page);
  await profile.goto();
  const cookies = await page.context().cookies();

  // A wrong password keeps the dialog open with the error on the field, focused.
  await profile.deleteAccount("not my password");
  await expect(profile.deleteDialog.getByLabel("Your password")).toBeFocused();
  await expect(profile.deleteDialog.getByRole("alert").first()).toContainText("not correct");

  await profile.deleteAccount(user.password);
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Account menu" })).toHaveCount(0);

  await auth.signIn(user.email, PASSWORD);
  await expect(auth.alert).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);

  // The cookie copied before the deletion is refused everywhere: its session row and user are gone.
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  for (const path of ["/api/me", "/api/keys", "/api/me/export"]) {
    const res = await request.get(path, { headers: { cookie } });
    expect(res.status(), path).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED" });
  }
  const chat = await request.post("/api/chat", {
    headers: { cookie, origin: new URL(page.url()).origin, "content-type": "application/json" },
    data: { id: "c1", message: { id: "m1", text: "hello" }, provider: "openai", model: "gpt-5-mini" },
  });
  expect(chat.status()).toBe(401);
  const stale = await page
    .context()
    .browser()
    ?.newContext({ baseURL: new URL(page.url()).origin });
  if (!stale) throw new Error("no browser");
  await stale.addCookies(cookies);
  const again = await stale.newPage();
  await again.goto("/settings/profile");
  await expect(again).toHaveURL(/\/sign-in/);
  await stale.close();
});
