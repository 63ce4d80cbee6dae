import path from "node:path";
import { expect, test } from "./fixtures";

// The README's screenshots, taken from the real app against the mock upstream. Each run checks
// the two pages render what the pictures promise; UPDATE_SCREENSHOTS=1 writes them to
// public/screenshots/ (commit the result), otherwise they go to the test's output folder.
const out = (name: string, outputPath: (n: string) => string) =>
  process.env.UPDATE_SCREENSHOTS === "1"
    ? path.join(import.meta.dirname, "..", "public", "screenshots", name)
    : outputPath(name);

test.use({ viewport: { width: 1280, height: 760 }, colorScheme: "light" });

test("README screenshots: AI settings with a tested key, and a streamed answer", async ({
  page,
  user: _user,
  settings,
  chat,
}, info) => {
  await settings.goto();
  const groq = settings.card("Groq");
  await groq.saveKey("gsk_readmeDEMOkeyQQQQ7777rrrrx9Qa");
  await expect(groq.preview).toHaveText("gsk_…x9Qa");
  await groq.testKey();
  await expect(groq.testResult).toContainText(/Valid/);
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  await groq.root.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: out("ai-settings.png", (n) => info.outputPath(n)) });

  await chat.goto();
  await chat.send("What makes a good API key policy for a classroom?");
  await chat.waitForAnswer(0, /Echo \(turn 1\)[\s\S]*out tokens/);
  await chat.send("And how do we stop one student from using up everyone's quota?");
  await chat.waitForAnswer(1, /Echo \(turn 2\)[\s\S]*out tokens/);
  await expect(chat.regenerateButton).toBeVisible();
  await page.screenshot({ path: out("chat.png", (n) => info.outputPath(n)) });
});
