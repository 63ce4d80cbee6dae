import { AuthPage, expect, test, uniqueEmail } from "./fixtures";

test("a new user signs up, signs out and signs in again", async ({ page, auth, user }) => {
  await expect(page.getByRole("link", { name: "AI settings" })).toBeVisible();
  await auth.signOut();
  await auth.signIn(user.email);
  await expect(page).toHaveURL(/\/chat/);
});

test("a wrong password and an unknown email get the same clear message", async ({ page, auth, user }) => {
  await auth.signOut();
  await auth.signIn(user.email, "not the password at all");
  await expect(auth.alert).toContainText(/wrong email or password/i);
  await expect(page).toHaveURL(/\/sign-in/);
  const firstText = await auth.alert.textContent();

  await auth.signIn(uniqueEmail("nobody"), "not the password at all");
  await expect(auth.alert).toHaveText(firstText ?? "");
});

test("signing up with a registered email looks exactly like a new sign-up and changes nothing", async ({
  user,
  browser,
}) => {
  const other = await browser.newPage();
  const otherAuth = new AuthPage(other);
  await otherAuth.submitSignUp(user.email, "another long password");
  await expect(other).toHaveURL(/\/sign-in\?notice=signed-up$/);
  await expect(other.getByRole("status")).toContainText("sign in with your email and password");
  await expect(otherAuth.alert).toHaveCount(0);
  // A fresh email gets the same page and the same words.
  const fresh = new AuthPage(await browser.newPage());
  await fresh.submitSignUp(uniqueEmail("fresh"), "another long password");
  await expect(fresh.page).toHaveURL(/\/sign-in\?notice=signed-up$/);
  await expect(fresh.page.getByRole("status")).toHaveText(
    (await other.getByRole("status").textContent()) ?? "",
  );
  // The registered account kept its password.
  await otherAuth.signIn(user.email, "another long password");
  await expect(otherAuth.alert).toContainText(/wrong email or password/i);
  await otherAuth.signIn(user.email, user.password);
  await expect(other).toHaveURL(/\/chat/);
  await other.close();
  await fresh.page.close();
});

test("sign-up refuses common passwords and ones containing the email, with clear messages", async ({
  page,
}) => {
  const auth = new AuthPage(page);
  const email = uniqueEmail("weak");
  await auth.submitSignUp(email, "password");
  await expect(auth.alert).toContainText(/too common or easy to guess/);
  await auth.submitSignUp(email, "12345678");
  await expect(auth.alert).toContainText(/too common or easy to guess/);
  await auth.submitSignUp(email, `${email}!`);
  await expect(auth.alert).toContainText(/must not contain your email/);
  await auth.submitSignUp(email, "        ");
  await expect(auth.alert).toContainText(/only spaces/);
  await expect(page).toHaveURL(/\/sign-up/);
});

test("signed-out visitors are redirected from app pages to sign-in", async ({ page }) => {
  for (const path of ["/chat", "/settings/ai", "/"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in/);
  }
});

test("signed-out API calls get 401 JSON with a code", async ({ request, baseURL }) => {
  for (const path of ["/api/me", "/api/keys"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED" });
  }
  const post = await request.post("/api/chat", {
    data: {},
    headers: { origin: new URL(baseURL as string).origin },
  });
  expect(post.status()).toBe(401);
  expect(await post.json()).toMatchObject({ code: "UNAUTHORIZED" });
});

test("a signed-in user reads only their own identity from /api/me", async ({ page, user }) => {
  const res = await page.request.get("/api/me");
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toContain("no-store");
  expect(await res.json()).toMatchObject({ email: user.email });
});
