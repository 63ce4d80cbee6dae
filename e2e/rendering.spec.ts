import type { Locator } from "@playwright/test";
import { expect, test } from "./fixtures";

// Answers render through streamdown with its maintained plugins: math as KaTeX, code as Shiki
// tokens (each language's grammar loaded when a block needs it). The mock upstream answers with
// the scripted "rich" reply (e2e/mock-upstream/canned.mjs): inline and display math, a task
// list, a table, and code in Python, HTML, diff, Ruby, YAML and Rust — the samples the old
// hand-written highlighter got wrong.

/** The colour Shiki gave the token whose text is exactly `text` in the code block of `language`. */
async function tokenColor(answer: Locator, language: string, text: string): Promise<string> {
  const block = answer.locator(`[data-streamdown="code-block-body"][data-language="${language}"]`);
  // Exactly that token: a substring match (case-insensitive) could pick a neighbour ("Docs" in
  // "/docs") whose scope is not the one the check means.
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const span = block.locator("code > span > span").filter({ hasText: exact }).first();
  await expect(span).toBeVisible();
  return span.evaluate((el) => getComputedStyle(el).color);
}

/**
 * Two tokens of different scopes (a keyword and a string, ...) have different colours in the
 * theme. Polled: the block is highlighted again as the answer's last frames arrive, and a read
 * in between would compare colours of a half-highlighted block.
 */
async function expectDistinct(answer: Locator, language: string, a: string, b: string) {
  await expect
    .poll(
      async () => {
        const [ca, cb] = [await tokenColor(answer, language, a), await tokenColor(answer, language, b)];
        return ca !== cb ? "distinct" : `both ${ca}`;
      },
      { message: `${language}: "${a}" and "${b}" are coloured apart` },
    )
    .toBe("distinct");
}

/** The token span containing `text` (Shiki keeps a whole string or comment in one token). */
function token(answer: Locator, language: string, text: string): Locator {
  return answer
    .locator(`[data-streamdown="code-block-body"][data-language="${language}"] code > span > span`)
    .filter({ hasText: text });
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`math renders as KaTeX and code as Shiki tokens in six languages (${colorScheme})`, async ({
    page,
    auth,
    settings,
    chat,
  }) => {
    await page.emulateMedia({ colorScheme });
    await auth.signUp();
    await settings.addKey("OpenAI", "sk-proj-renderE2E0000aaaa1111");
    await chat.goto();
    await chat.send("Show me math and code [[mock-reply:rich]]");
    await chat.waitForAnswer(0, "That is all.");
    const answer = chat.answers.first();

    // Math: KaTeX's MathML-carrying markup, inline and as a display block; no raw LaTeX left.
    await expect(answer.locator(".katex").first()).toBeVisible();
    await expect(answer.locator(".katex-display")).toHaveCount(1);
    await expect(answer.locator(".katex-display annotation")).toContainText("\\sum_{k=1}^{n}");
    await expect(answer.locator(".katex:not(.katex-display .katex) annotation").first()).toHaveText(
      "E = mc^2",
    );
    await expect(answer).not.toContainText("$$");
    // KaTeX's stylesheet applied (its fonts served from this origin: the CSP allows no other).
    const mathFont = await answer
      .locator(".katex-display .mord")
      .first()
      .evaluate((el) => getComputedStyle(el).fontFamily);
    expect(mathFont).toMatch(/KaTeX/);
    expect(await page.evaluate(() => document.fonts.check("16px KaTeX_Main"))).toBe(true);

    // Code: one Shiki block per language, tokens coloured by the grammar.
    for (const lang of ["python", "html", "diff", "ruby", "yaml", "rust"]) {
      const spans = answer.locator(
        `[data-streamdown="code-block-body"][data-language="${lang}"] code > span > span`,
      );
      await expect(spans.first()).toBeVisible();
      const colors = new Set(await spans.evaluateAll((els) => els.map((e) => getComputedStyle(e).color)));
      expect(colors.size, `${lang} has differently coloured tokens`).toBeGreaterThan(1);
    }
    // Python: the docstring's words are one string token, not keywords and operators ("if" and
    // "<" inside it are not coloured as code). Whether its quotes are tokens of their own
    // depends on the theme (Shiki merges neighbours of one colour), so the words are checked.
    const docstring = "Return the area; if r < 0 this text is not code.";
    await expect(token(answer, "python", docstring)).toHaveCount(1, { timeout: 30_000 });
    const docColor = await token(answer, "python", docstring).evaluate((el) => getComputedStyle(el).color);
    await expect.poll(() => tokenColor(answer, "python", "def")).not.toBe(docColor);
    // HTML: the tag name, the attribute name and its value each have a colour of their own.
    await expectDistinct(answer, "html", "a", "href");
    await expectDistinct(answer, "html", "href", '"/docs"');
    // Diff: the removed and the added line differ.
    await expectDistinct(answer, "diff", "- old line", "+ new line");
    // Ruby: the method keyword is coloured unlike the string.
    await expectDistinct(answer, "ruby", "def", '"Hello, ');
    // YAML: the comment is its own token, unlike the value before it.
    await expectDistinct(answer, "yaml", "# a comment", "nginx");
    // Rust: the raw string keeps its quotes and "//" inside one string, on one line.
    await expect(token(answer, "rust", '"quoted" // not a comment')).toHaveCount(1);
    await expect(
      answer.locator('[data-streamdown="code-block-body"][data-language="rust"] code > span'),
    ).toHaveCount(2);

    // A code block that overflows can be scrolled from the keyboard.
    const body = answer.locator('[data-streamdown="code-block-body"]').first();
    await expect(body).toHaveAttribute("tabindex", "0");
    await expect(body).toHaveAttribute("role", "region");
    await expect(body).toHaveAttribute("aria-label", /code/i);
  });
}
