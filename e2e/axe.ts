import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect } from "@playwright/test";

// One set of axe rules for every spec: the WCAG A/AA rules plus axe's best practices
// (landmarks, heading order, skip link...), and the label-in-name check (WCAG 2.5.3) that axe
// keeps among its experimental rules.
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** axe on the page as it is, with the suite's rules. */
export function analyze(page: Page) {
  return new AxeBuilder({ page })
    .withTags(AXE_TAGS)
    .options({ rules: { "label-content-name-mismatch": { enabled: true } } })
    .analyze();
}

/**
 * No serious or critical violation on the page as it is (`state` names it in a failure). Waits
 * for toasts to go first: axe reads computed colours at one instant.
 */
export async function expectNoSeriousAxe(page: Page, state = "this page") {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  const { violations } = await analyze(page);
  const blocking = violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
  expect(blocking, state).toEqual([]);
}
