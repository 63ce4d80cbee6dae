import path from "node:path";
import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

// The README's screenshots, taken from the real app against the mock upstream. Each run checks
// the two pages render what the pictures promise; UPDATE_SCREENSHOTS=1 writes them to
// public/screenshots/ (commit the result), otherwise they go to the test's output folder.
const out = (name: string, outputPath: (n: string) => string) =>
  process.env.UPDATE_SCREENSHOTS === "1"
    ? path.join(import.meta.dirname, "..", "public", "screenshots", name)
    : outputPath(name);

test.use({ viewport: { width: 1280, height: 760 }, colorScheme: "light" });

test("README screenshots: AI settings with a tested key, and a streamed answer", async ({ page }, info) => {
  await signUp(page);
  await page.goto("/settings/ai");
  const groq = page.getByRole("region", { name: "Groq", exact: true });
  await groq.getByLabel("API key").fill("gsk_readmeDEMOkeyQQQQ7777rrrrx9Qa");
  await groq.getByRole("button", { name: "Save key" }).click();
  await expect(groq.getByTestId("key-preview")).toHaveText("gsk_…x9Qa");
  await groq.getByRole("button", { name: "Test" }).click();
  await expect(groq.getByRole("status")).toContainText(/Valid/);
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  await groq.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: out("ai-settings.png", (n) => info.outputPath(n)) });

  await page.goto("/chat");
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("What makes a good API key policy for a classroom?");
  await box.press("Enter");
  const answer = page.getByTestId("message-assistant").first();
  await expect(answer).toContainText(/Echo \(turn 1\)[\s\S]*out tokens/, { timeout: 20_000 });
  await box.fill("And how do we stop one student from using up everyone's quota?");
  await box.press("Enter");
  await expect(page.getByTestId("message-assistant").nth(1)).toContainText(
    /Echo \(turn 2\)[\s\S]*out tokens/,
  );
  await expect(page.getByRole("button", { name: "Regenerate" })).toBeVisible();
  await page.screenshot({ path: out("chat.png", (n) => info.outputPath(n)) });
});
