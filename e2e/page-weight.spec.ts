import { fileURLToPath } from "node:url";
import { MEASURED_PAGES, measureInBrowser, readBudget } from "../bench/lib/page-weight";
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
    test.info().annotations.push({
      type: "first-load-js",
      description: `${route}: ${(weight.gzipBytes / 1000).toFixed(1)} kB gzip in ${weight.files} files (budget ${((limit ?? 0) / 1000).toFixed(1)} kB)`,
    });
    expect(weight.files, `${route} loads its scripts`).toBeGreaterThan(0);
    expect.soft(weight.gzipBytes, `${route} First Load JS, bytes gzip`).toBeLessThanOrEqual(limit as number);
  }
});
