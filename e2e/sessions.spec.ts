import type { Browser, BrowserContext, Cookie } from "@playwright/test";
import { AuthPage, expect, PASSWORD, pagesFor, signUpInNewContext, test } from "./fixtures";
import { ProfilePage } from "./pages/profile-page";

// Server-side sessions (lib/auth/sessions.ts): once a session has ended, its cookie, even
// copied before, is refused by the API and by pages, and no redirect loop follows.

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async function copyCookies(context: BrowserContext): Promise<Cookie[]> {
  const cookies = await context.cookies();
  expect(cookies.some((c) => c.name === "authjs.session-token")).toBe(true);
  return cookies;
}

/** A fresh browser holding only `cookies`: every surface must treat it as signed out. */
async function expectRefused(browser: Browser, baseURL: string, cookies: Cookie[], label: string) {
  const context = await browser.newContext({ baseURL });
  await context.addCookies(cookies);
  const origin = new URL(baseURL).origin;
  for (const path of ["/api/me", "/api/keys"]) {
    const res = await context.request.get(path);
    expect(res.status(), `${label}: ${path}`).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED" });
  }
  // next-auth's own endpoint agrees: no user for an ended session.
  const nextAuth = await context.request.get("/api/auth/session");
  expect(
    ((await nextAuth.json()) as { user?: unknown } | null)?.user,
    `${label}: /api/auth/session`,
  ).toBeUndefined();
  const chat = await context.request.post("/api/chat", {
    headers: { origin },
    data: { id: "c1", message: { id: "m1", text: "hello" }, provider: "openai", model: "gpt-5-mini" },
  });
  expect(chat.status(), `${label}: /api/chat`).toBe(401);
  const page = await context.newPage();
  await page.goto("/chat");
  await expect(page, `${label}: a page`).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  // /sign-in does not bounce the dead cookie back to /chat (no loop).
  await page.goto("/sign-in");
  await expect(page).toHaveURL(/\/sign-in$/);
  await context.close();
}

/** The same user signed in on a second device (a Firefox on Linux). */
async function signInElsewhere(browser: Browser, who: { email: string; password: string }) {
  const context = await browser.newContext({ userAgent: FIREFOX_LINUX });
  const page = await context.newPage();
  await pagesFor(page).auth.signIn(who.email, who.password);
  await expect(page).toHaveURL(/\/chat/);
  return context;
}

async function expectLive(context: BrowserContext) {
  const res = await context.request.get("/api/me");
  expect(res.status()).toBe(200);
}

test("a cookie copied before sign-out (account menu) is refused everywhere", async ({
  page,
  auth,
  browser,
  baseURL,
}) => {
  await auth.signUp();
  const copied = await copyCookies(page.context());
  await auth.signOut();
  await expectRefused(browser, baseURL as string, copied, "after sign-out");
});

test("a cookie copied before next-auth's own sign-out endpoint is refused everywhere", async ({
  page,
  auth,
  browser,
  baseURL,
}) => {
  await auth.signUp();
  const copied = await copyCookies(page.context());
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await page.request.post("/api/auth/signout", {
    form: { csrfToken },
    headers: { origin: new URL(baseURL as string).origin },
    maxRedirects: 0,
  });
  expect(res.status()).toBeLessThan(400);
  await expectRefused(browser, baseURL as string, copied, "after /api/auth/signout");
});

test("the sessions list shows two devices; ending the other one refuses its cookie", async ({
  browser,
  baseURL,
}) => {
  const a = await signUpInNewContext(browser);
  const other = await signInElsewhere(browser, a);
  const otherCookies = await copyCookies(other);
  await expectLive(other);

  const profile = new ProfilePage(a.page);
  await profile.goto();
  await expect(profile.sessions).toHaveCount(2);
  await expect(profile.currentSession).toHaveCount(1);
  await expect(profile.session("Firefox on Linux")).toHaveCount(1);
  await expect(profile.session("Firefox on Linux")).not.toContainText("This device");

  await profile.endSession("Firefox on Linux");
  await expect(profile.sessions).toHaveCount(1);
  await expectRefused(browser, baseURL as string, otherCookies, "ended from the list");
  await expectLive(a.page.context());
  await other.close();
  await a.close();
});

test("a password change ends every other session, keeps this one, and swaps the password", async ({
  browser,
  baseURL,
}) => {
  const a = await signUpInNewContext(browser);
  const other = await signInElsewhere(browser, a);
  const otherCookies = await copyCookies(other);

  const profile = new ProfilePage(a.page);
  await profile.goto();
  await profile.changePassword("not my password", "a brand new passphrase here");
  await expect(profile.passwordAlert).toContainText("The current password is wrong.");
  await profile.changePassword(a.password, "password1");
  await expect(profile.passwordAlert).toContainText(/too common or easy to guess/);
  await profile.changePassword(a.password, "a brand new passphrase here");
  await expect(profile.passwordStatus).toContainText("Password saved. 1 other session was signed out.");

  await expectRefused(browser, baseURL as string, otherCookies, "after password change");
  await expectLive(a.page.context());
  await profile.goto();
  await expect(profile.sessions).toHaveCount(1);

  const fresh = new AuthPage(await (await browser.newContext()).newPage());
  await fresh.signIn(a.email, PASSWORD);
  await expect(fresh.alert).toContainText(/wrong email or password/i);
  await fresh.signIn(a.email, "a brand new passphrase here");
  await expect(fresh.page).toHaveURL(/\/chat/);
  await fresh.page.context().close();
  await other.close();
  await a.close();
});

test("sign out everywhere ends every session, this one included", async ({ browser, baseURL }) => {
  const a = await signUpInNewContext(browser);
  const other = await signInElsewhere(browser, a);
  const mine = await copyCookies(a.page.context());
  const theirs = await copyCookies(other);

  const profile = new ProfilePage(a.page);
  await profile.goto();
  await profile.signOutEverywhere();
  await expectRefused(browser, baseURL as string, mine, "this device, after sign out everywhere");
  await expectRefused(browser, baseURL as string, theirs, "other device, after sign out everywhere");
  await other.close();
  await a.close();
});
