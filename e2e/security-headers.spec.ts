import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// The response headers and the page CSP under a real browser: every page the app has renders
// with no `securitypolicyviolation` (the nonce reaches Next's scripts and next-themes' inline
// script), and a Markdown image in an answer is shown as a link that the browser never fetches.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;

type Violation = { directive: string; blocked: string; url: string };

/** Records CSP violations (DOM event and console) from every document the page loads. */
async function watchCsp(page: Page): Promise<Violation[]> {
  const seen: Violation[] = [];
  await page.exposeFunction("__reportCsp", (v: Violation) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __reportCsp: (v: unknown) => void }).__reportCsp({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        url: location.pathname,
      });
    });
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text()))
      seen.push({ directive: "console", blocked: m.text(), url: page.url() });
  });
  return seen;
}

test("every page renders under the CSP with no violation; answer images stay links", async ({
  page,
  request,
  auth,
  settings,
  chat,
}) => {
  const violations = await watchCsp(page);
  const visited: string[] = [];
  const visit = async (path: string) => {
    const res = await page.goto(path);
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(res?.headers()["x-frame-options"], path).toBe("DENY");
    expect(res?.headers()["x-content-type-options"], path).toBe("nosniff");
    await page.waitForLoadState("networkidle");
    visited.push(path);
  };

  await visit("/sign-in");
  await visit("/sign-up");
  await auth.signUp();
  await visit("/chat");
  await visit("/settings/ai");

  await settings.card("OpenAI").saveKey("sk-proj-cspE2E0000aaaa1111");

  // The mock echoes the prompt, so the answer carries a Markdown image pointing at a host we
  // can watch: the browser must not request it.
  const imageUrl = `${MOCK}/pixel.png?leak=conversation`;
  const imageRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/pixel.png")) imageRequests.push(r.url());
  });
  await chat.goto();
  await chat.send(`Show this ![tracking pixel](${imageUrl}) please`);
  const answer = chat.answers.first();
  await expect(answer).toContainText("Echo (turn 1)");
  await expect(chat.regenerateButton).toBeVisible({ timeout: 20_000 });
  const link = answer.getByRole("link", { name: /image: tracking pixel/ });
  await expect(link).toHaveAttribute("href", imageUrl);
  await expect(answer.locator("img")).toHaveCount(0);
  await expect(page).toHaveURL(/\/chat\/[\w-]+/);
  const chatWithAnswer = new URL(page.url()).pathname;
  await visit(chatWithAnswer); // a chat with an answer, rendered from the server
  await expect(chat.answers.first().locator("img")).toHaveCount(0);
  await visit("/settings/ai");

  expect(imageRequests).toEqual([]);
  expect(violations, JSON.stringify(violations)).toEqual([]);
  expect(visited).toHaveLength(6);

  // Route handlers and static assets: static headers and a policy that allows nothing.
  for (const path of ["/api/me", "/favicon.svg"]) {
    const res = await request.get(path);
    expect(res.headers()["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(res.headers()["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(res.headers()["permissions-policy"], path).toContain("camera=()");
  }
});
