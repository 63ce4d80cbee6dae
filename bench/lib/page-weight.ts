import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext } from "@playwright/test";

// First Load JS of a page, gzip, two ways that should agree:
//  - browser: the JavaScript Chromium fetches from our origin until the load event, in a fresh
//    context (empty cache), gzipped here at level 9 (what Next's old "First Load JS" column used);
//  - build: the chunks `next build` lists for the route in .next/diagnostics/route-bundle-stats.json.
// kB = 1000 bytes, as Next prints them.

export const MEASURED_PAGES = [
  { route: "/sign-in", signedIn: false },
  { route: "/chat", signedIn: true },
  { route: "/settings/ai", signedIn: true },
] as const;

export type PageRoute = (typeof MEASURED_PAGES)[number]["route"];

export type PageWeight = { route: string; files: number; rawBytes: number; gzipBytes: number };

export type Budget = { pages: Record<string, { maxGzipBytes: number }> };

export const gzipBytes = (buf: Buffer) => gzipSync(buf, { level: 9 }).byteLength;

export function readBudget(root: string): Budget {
  return JSON.parse(readFileSync(path.join(root, "bench/budget.json"), "utf8")) as Budget;
}

/** Loads `url` in a fresh context (signed in when `storageState` is given) and weighs its scripts. */
export async function measureInBrowser(
  browser: Browser,
  baseURL: string,
  route: string,
  storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>,
): Promise<PageWeight> {
  const context = await browser.newContext({ baseURL, storageState });
  try {
    const page = await context.newPage();
    const origin = new URL(baseURL).origin;
    const scripts = new Map<string, Promise<Buffer | null>>();
    page.on("response", (res) => {
      if (res.request().resourceType() !== "script" || new URL(res.url()).origin !== origin) return;
      scripts.set(
        res.url(),
        res.body().catch(() => null),
      );
    });
    const res = await page.goto(route, { waitUntil: "load" });
    if (!res?.ok()) throw new Error(`${route}: HTTP ${res?.status()}`);
    if (new URL(page.url()).pathname !== route) throw new Error(`${route}: redirected to ${page.url()}`);
    // What the page fetched before its load event, by the browser's own clock: parts loaded
    // lazily right after it (a timer once `load` has fired) are not First Load JS, however
    // fast their responses reach this process.
    const firstLoad = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const loadAt = nav?.loadEventStart || Number.POSITIVE_INFINITY;
      return performance
        .getEntriesByType("resource")
        .filter((r) => r.startTime < loadAt)
        .map((r) => r.name);
    });
    const wanted = [...scripts.entries()].filter(([url]) => firstLoad.includes(url)).map(([, body]) => body);
    const bodies = (await Promise.all(wanted)).filter((b): b is Buffer => b !== null);
    return {
      route,
      files: bodies.length,
      rawBytes: bodies.reduce((s, b) => s + b.byteLength, 0),
      gzipBytes: bodies.reduce((s, b) => s + gzipBytes(b), 0),
    };
  } finally {
    await context.close();
  }
}

type RouteStats = { route: string; firstLoadChunkPaths: string[] };

/** From the build's own listing, when this Next version writes it (16.4 does). */
export function measureFromBuild(root: string, routes: readonly string[]): PageWeight[] | undefined {
  const file = path.join(root, ".next/diagnostics/route-bundle-stats.json");
  if (!existsSync(file)) return undefined;
  const stats = JSON.parse(readFileSync(file, "utf8")) as RouteStats[];
  // A webpack build leaves Turbopack's old listing behind: stale if its chunks are gone.
  if (stats.some((s) => s.firstLoadChunkPaths.some((p) => !existsSync(path.join(root, p))))) return undefined;
  return routes.flatMap((route) => {
    const entry = stats.find((s) => s.route === route);
    if (!entry) return [];
    const bodies = entry.firstLoadChunkPaths.map((p) => readFileSync(path.join(root, p)));
    return [
      {
        route,
        files: bodies.length,
        rawBytes: bodies.reduce((s, b) => s + b.byteLength, 0),
        gzipBytes: bodies.reduce((s, b) => s + gzipBytes(b), 0),
      },
    ];
  });
}

/** Every measured page, both ways, with its budget (bytes gzip). */
export async function measurePages(
  browser: Browser,
  baseURL: string,
  signedIn: Awaited<ReturnType<BrowserContext["storageState"]>>,
  root: string,
): Promise<{ browser: PageWeight[]; build?: PageWeight[]; budget: Record<string, number> }> {
  const measured: PageWeight[] = [];
  for (const p of MEASURED_PAGES) {
    measured.push(await measureInBrowser(browser, baseURL, p.route, p.signedIn ? signedIn : undefined));
  }
  const budget = readBudget(root);
  return {
    browser: measured,
    build: measureFromBuild(
      root,
      MEASURED_PAGES.map((p) => p.route),
    ),
    budget: Object.fromEntries(Object.entries(budget.pages).map(([route, b]) => [route, b.maxGzipBytes])),
  };
}
