import { expect, test } from "@playwright/test";
import { signIn, signOut, signUp, uniqueEmail } from "./helpers";

test("a new user signs up, signs out and signs in again", async ({ page }) => {
  const { email } = await signUp(page);
  await expect(page.getByRole("link", { name: "AI settings" })).toBeVisible();
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/chat/);
});

test("a wrong password and an unknown email get the same clear message", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  await signIn(page, email, "not the password at all");
  const wrongPassword = page.getByRole("main").getByRole("alert");
  await expect(wrongPassword).toContainText(/wrong email or password/i);
  await expect(page).toHaveURL(/\/sign-in/);
  const firstText = await wrongPassword.textContent();

  await signIn(page, uniqueEmail("nobody"), "not the password at all");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(firstText ?? "");
});

test("signing up twice with one email is refused with a message", async ({ page, browser }) => {
  const { email } = await signUp(page);
  const other = await browser.newPage();
  await other.goto("/sign-up");
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill("another long password");
  await other.getByRole("button", { name: "Create account" }).click();
  await expect(other.getByRole("main").getByRole("alert")).toBeVisible();
  await expect(other).toHaveURL(/\/sign-up/);
  await other.close();
});

test("signed-out visitors are redirected from app pages to sign-in", async ({ page }) => {
  for (const path of ["/chat", "/settings/ai", "/"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in/);
  }
});

test("signed-out API calls get 401 JSON with a code", async ({ request }) => {
  for (const path of ["/api/me", "/api/keys"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED" });
  }
  const origin = `http://localhost:${process.env.E2E_APP_PORT ?? "3300"}`;
  const post = await request.post("/api/chat", { data: {}, headers: { origin } });
  expect(post.status()).toBe(401);
  expect(await post.json()).toMatchObject({ code: "UNAUTHORIZED" });
});

test("a signed-in user reads only their own identity from /api/me", async ({ page }) => {
  const { email } = await signUp(page);
  const res = await page.request.get("/api/me");
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toContain("no-store");
  expect(await res.json()).toMatchObject({ email });
});
