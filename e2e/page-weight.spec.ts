import { fileURLToPath } from "node:url";
import { gzipBytes, MEASURED_PAGES, measureInBrowser, readBudget } from "../bench/lib/page-weight";
import { expect, test } from "./fixtures";

// Page weight budget: the gzip size of the JavaScript each page loads before its load event,
// fetched by Chromium with an empty cache, against bench/budget.json. A size check, not a
// timing one. `npm run bench` prints the same measurement.

const root = fileURLToPath(new URL("..", import.meta.url));

test("First Load JS of the sign-in, chat and AI settings pages stays within budget", async ({
  page,
  auth,
  browser,
  baseURL,
}) => {
  await auth.signUp();
  const signedIn = await page.context().storageState();
  const budget = readBudget(root);
  for (const { route, signedIn: needsSession } of MEASURED_PAGES) {
    const limit = budget.pages[route]?.maxGzipBytes;
    expect(limit, `bench/budget.json has a budget for ${route}`).toBeGreaterThan(0);
    const weight = await measureInBrowser(
      browser,
      baseURL as string,
      route,
      needsSession ? signedIn : undefined,
    );
    const description = `${route}: ${(weight.gzipBytes / 1000).toFixed(1)} kB gzip in ${weight.files} files (budget ${((limit ?? 0) / 1000).toFixed(1)} kB)`;
    test.info().annotations.push({ type: "first-load-js", description });
    console.log(`first load JS ${description}`);
    expect(weight.files, `${route} loads its scripts`).toBeGreaterThan(0);
    expect.soft(weight.gzipBytes, `${route} First Load JS, bytes gzip`).toBeLessThanOrEqual(limit as number);
  }
});

// Markdown, code highlighting (Shiki and one grammar per language) and math (KaTeX, its CSS and
// fonts) load only when an answer needs them. This weighs what an answer with math and code in
// six languages fetches after the chat page's load event: reported, and proven to be lazy.
test("code highlighting and math load after the page, only for the answer that needs them", async ({
  page,
  auth,
  settings,
  chat,
  baseURL,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-weightE2E0000aaaa1111");
  await chat.goto();
  await expect(chat.composer).toBeEnabled();
  const origin = new URL(baseURL as string).origin;
  const fetched: Promise<{ type: string; url: string; body: Buffer | null }>[] = [];
  page.on("response", (res) => {
    const type = res.request().resourceType();
    if (new URL(res.url()).origin !== origin || !["script", "stylesheet", "font"].includes(type)) return;
    fetched.push(
      res.body().then(
        (body) => ({ type, url: res.url(), body }),
        () => ({ type, url: res.url(), body: null }),
      ),
    );
  });
  await chat.send("Math and code please [[mock-reply:rich]]");
  await chat.waitForAnswer(0, "That is all.");
  await expect(chat.answers.first().locator(".katex-display")).toHaveCount(1);
  await expect(
    chat.answers
      .first()
      .locator('[data-streamdown="code-block-body"][data-language="rust"] code > span > span')
      .nth(1),
  ).toBeVisible();
  await page.evaluate(() => document.fonts.ready);
  const files = (await Promise.all(fetched)).filter((f) => f.body !== null);
  const sum = (type: string, zip: boolean) =>
    files
      .filter((f) => f.type === type)
      .reduce((n, f) => n + (zip ? gzipBytes(f.body as Buffer) : (f.body as Buffer).byteLength), 0);
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  const scripts = files.filter((f) => f.type === "script").length;
  // Which part each script is, by a marker in its text (first match wins).
  const PARTS = [
    ["KaTeX", "KaTeX"],
    ["markdown (streamdown)", "data-streamdown"],
    ["Shiki core", "createJavaScriptRegexEngine"],
    ["grammars", '"scopeName"'],
  ] as const;
  const parts = new Map<string, { n: number; gz: number }>();
  for (const f of files.filter((x) => x.type === "script")) {
    const text = (f.body as Buffer).toString("latin1");
    const name = PARTS.find(([, marker]) => text.includes(marker))?.[0] ?? "other";
    const p = parts.get(name) ?? { n: 0, gz: 0 };
    parts.set(name, { n: p.n + 1, gz: p.gz + gzipBytes(f.body as Buffer) });
  }
  const breakdown = [...parts].map(([name, p]) => `${name} ${kB(p.gz)} (${p.n})`).join(", ");
  const description = `lazy for a math + 6-language code answer: JS ${kB(sum("script", true))} gzip in ${scripts} files [${breakdown}], CSS ${kB(sum("stylesheet", true))} gzip, fonts ${kB(sum("font", false))} (woff2)`;
  test.info().annotations.push({ type: "lazy-chunks", description });
  console.log(description);
  // Loaded on demand: scripts (the renderer, the plugins, the grammars), KaTeX's stylesheet and fonts.
  expect(scripts).toBeGreaterThan(3);
  expect(sum("stylesheet", false)).toBeGreaterThan(0);
  expect(sum("font", false)).toBeGreaterThan(0);
});
