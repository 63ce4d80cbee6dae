import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { analyze } from "./axe";
import { expect, PASSWORD, pagesFor, test, uniqueEmail } from "./fixtures";
import { serverStatePath } from "./server-log.mjs";

// Accessibility: axe-core on every page and state a person meets, at desktop and phone width,
// in the light and the dark theme. A state counts serious and critical violations (the ones
// that block or badly hinder someone); each run lists every violation it found in the test's
// annotations, so a failure says which rule and which element.

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } };
const SCHEMES = ["light", "dark"] as const;

type Found = { state: string; id: string; impact: string; nodes: number; target: string };

async function scan(page: Page, state: string, found: Found[]) {
  const before = found.length;
  // Wait for transitions and toasts to settle: axe reads computed colours at one instant.
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  const results = await analyze(page);
  for (const v of results.violations) {
    found.push({
      state,
      id: v.id,
      impact: v.impact ?? "none",
      nodes: v.nodes.length,
      target: v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" "))
        .join(" | "),
    });
  }
  const mine = found.slice(before);
  const count = (impact: string) => mine.filter((f) => f.impact === impact).length;
  const line = `${test.info().title.replace(/.*\((.*)\)$/, "$1")} ${state}: critical ${count("critical")}, serious ${count("serious")}, moderate ${count("moderate")}, minor ${count("minor")}${mine
    .map((f) => `\n    ${f.impact} ${f.id} ×${f.nodes} [${f.target}]`)
    .join("")}`;
  test.info().annotations.push({ type: "axe", description: line });
  // Printed as it goes, so a slow or failing run still tells what it found.
  console.log(`axe ${line}`);
}

/** `npm run admin -- grant <email>` against the suite's server (embedded: its control socket). */
function grantAdmin(email: string): Promise<string> {
  const { dataDir } = JSON.parse(readFileSync(serverStatePath(), "utf8")) as { dataDir: string };
  const env: NodeJS.ProcessEnv = { ...process.env, BYOK_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const child = spawn("npm", ["run", "--silent", "admin", "--", "grant", email], { env });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  return new Promise((r) => child.on("exit", () => r(out)));
}

for (const [width, viewport] of Object.entries(VIEWPORTS)) {
  for (const scheme of SCHEMES) {
    test.describe(`${width} ${scheme}`, () => {
      test.use({ viewport, colorScheme: scheme });

      test(`axe: no serious or critical violations on any page (${width}, ${scheme})`, async ({ page }) => {
        test.setTimeout(600_000);
        const { auth, settings, chat } = pagesFor(page);
        const found: Found[] = [];

        await page.goto("/sign-in");
        await scan(page, "sign-in", found);
        await page.goto("/sign-up");
        await scan(page, "sign-up", found);

        const email = uniqueEmail("a11y");
        await auth.signUp(email, PASSWORD);
        expect(await grantAdmin(email)).toContain("is now an admin");

        await chat.goto();
        await expect(chat.composer).toBeVisible();
        await scan(page, "chat, no key", found);

        await settings.addKey("OpenAI", "sk-proj-a11yE2E0000aaaa1111");
        await settings.saveKey("Groq", "gsk_a11yE2EkeyQQQQ7777rrrrx9Qa");
        // A tested key shows the "Active" badge; the activity table fills up.
        const groq = await settings.testKey("Groq");
        await expect(groq.testResult).toContainText(/Valid/);
        await expect(groq.status).toHaveText("Active");
        await scan(page, "AI settings with keys", found);

        await chat.goto();
        await expect(chat.composer).toBeEnabled();
        await scan(page, "chat, empty", found);

        await chat.send("Show me everything [[mock-reply:rich]]");
        await chat.waitForAnswer(0, "That is all.");
        await expect(chat.regenerateButton).toBeVisible();
        await expect(chat.answers.first().locator("table")).toBeVisible();
        await expect(chat.answers.first().locator("pre").first()).toBeVisible();
        await expect(chat.answers.first().getByRole("checkbox").first()).toBeAttached();
        await scan(page, "chat with an answer", found);

        await page.goto("/settings/profile");
        await expect(page.getByRole("heading", { level: 1, name: "Profile" })).toBeVisible();
        await scan(page, "profile", found);

        await page.goto("/admin");
        await expect(page.getByTestId("admin-users")).toBeVisible();
        await scan(page, "admin", found);

        await settings.addKey("OpenAI", "sk-proj-a11yE2E-invalid-2222bbbb");
        await chat.goto();
        await chat.send("This one fails");
        await expect(chat.errorBanner(/rejected|invalid/i)).toBeVisible();
        await scan(page, "chat with an error banner", found);

        const blocking = found.filter((f) => f.impact === "critical" || f.impact === "serious");
        expect(blocking, JSON.stringify(blocking, null, 1)).toEqual([]);
      });
    });
  }
}
