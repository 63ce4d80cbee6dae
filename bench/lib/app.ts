import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium } from "@playwright/test";
import pg from "pg";
import { chromiumArgs, chromiumPath } from "../../e2e/chromium";
import { ensureSecrets, root } from "../../scripts/lib/setup.mjs";
import { migrate } from "../../scripts/migrate.mjs";
import { type Child, startChild, tail } from "./procs";

// The app under test: the production build on a fresh embedded database (or on a fresh database
// of a PostgreSQL server), its providers pointed at the mock, loopback only. Users are made
// through the real UI.

export type AppServer = { child: Child; url: string; dataDir: string; cleanup: () => Promise<void> };

export async function startApp(opts: {
  port: number;
  mockUrl: string;
  databaseUrl?: string;
  nodeOptions?: string;
  env?: Record<string, string>;
  /**
   * Serve through scripts/server.mjs (the production entry) with WEB_CONCURRENCY=workers
   * instead of `next start`; needs databaseUrl. redisUrl: the workers' shared limits.
   */
  workers?: number;
  redisUrl?: string;
}): Promise<AppServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "byok-bench-"));
  const url = `http://127.0.0.1:${opts.port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The bench decides where every request goes: no system keys, no shared Redis, no stray DB.
  for (const k of [
    "DATABASE_URL",
    "REDIS_URL",
    "OPENAI_API_KEY",
    "GROQ_API_KEY",
    "GOOGLE_GENERATIVE_AI_API_KEY",
  ]) {
    delete env[k];
  }
  let dropDatabase: () => Promise<void> = async () => undefined;
  if (opts.databaseUrl) {
    // A database of its own on that server, dropped afterwards; secrets come from the env there.
    const made = await createTempDatabase(opts.databaseUrl);
    env.DATABASE_URL = made.url;
    dropDatabase = made.drop;
    env.BYOK_MASTER_KEYS ??= `bench:${randomBytes(32).toString("base64")}`;
    env.AUTH_SECRET ??= randomBytes(32).toString("base64");
  } else {
    // As `npm start` does: secrets generated into the data directory (read from there per request).
    delete env.BYOK_MASTER_KEYS;
    delete env.AUTH_SECRET;
  }
  const warn = console.warn;
  console.warn = () => undefined; // "generated a master key" is news for a real install, not here
  try {
    ensureSecrets(dataDir, env);
  } finally {
    console.warn = warn;
  }
  await migrate({ dataDir, databaseUrl: env.DATABASE_URL, log: () => undefined });
  const serverEnv: Record<string, string> = {};
  if (opts.workers !== undefined) {
    serverEnv.PORT = String(opts.port);
    serverEnv.HOSTNAME = "127.0.0.1";
    serverEnv.WEB_CONCURRENCY = String(opts.workers);
    if (opts.redisUrl) serverEnv.REDIS_URL = opts.redisUrl;
  }
  const [cmd, args] =
    opts.workers !== undefined
      ? [process.execPath, [path.join(root, "scripts/server.mjs")]]
      : [path.join(root, "node_modules/.bin/next"), ["start", "-p", String(opts.port), "-H", "127.0.0.1"]];
  const child = startChild(opts.workers !== undefined ? `app×${opts.workers}` : "app", cmd, args, {
    cwd: root,
    env: {
      ...env,
      ...serverEnv,
      NODE_ENV: "production",
      NODE_OPTIONS: [env.NODE_OPTIONS, opts.nodeOptions].filter(Boolean).join(" "),
      BYOK_DATA_DIR: dataDir,
      AUTH_URL: url,
      OPENAI_BASE_URL: `${opts.mockUrl}/v1`,
      GROQ_BASE_URL: `${opts.mockUrl}/openai/v1`,
      GOOGLE_GENERATIVE_AI_BASE_URL: `${opts.mockUrl}/v1beta`,
      ALLOW_PRIVATE_BASE_URLS: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      // The bench is one user sending hundreds of turns a minute; the limiter still runs.
      RATE_LIMIT_CHAT_PER_MINUTE: "10000000",
      RATE_LIMIT_SIGNIN_PER_15_MIN: "1000",
      ...opts.env,
    },
  });
  await waitForHttp(`${url}/sign-in`, 60_000, child);
  return {
    child,
    url,
    dataDir,
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase();
    },
  };
}

async function createTempDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `byok_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function waitForHttp(url: string, timeoutMs: number, child: Child): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (child.proc.exitCode !== null) throw new Error(`app exited (${child.proc.exitCode})\n${tail(child)}`);
    if (Date.now() > until) throw new Error(`app not answering ${url}\n${tail(child)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

export type BenchUser = { email: string; cookie: string; context: BrowserContext };

/** Signs up through the UI, stores `apiKey` as the user's OpenAI key over REST, returns the cookie. */
export async function signUpWithKey(
  browser: Browser,
  appUrl: string,
  email: string,
  apiKey: string,
): Promise<BenchUser> {
  const context = await browser.newContext({ baseURL: appUrl });
  const page = await context.newPage();
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("bench password that is long enough");
  await page.getByRole("button", { name: "Create account" }).click();
  // Sign-up leads to the sign-in page (it never reveals whether the email was registered).
  await page.waitForURL(/\/sign-in\?notice=signed-up/, { timeout: 30_000 });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("bench password that is long enough");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/chat/, { timeout: 30_000 });
  const res = await page.request.put(`${appUrl}/api/keys/openai`, {
    data: { apiKey },
    headers: { origin: appUrl },
  });
  if (!res.ok()) throw new Error(`saving the key failed: HTTP ${res.status()} ${await res.text()}`);
  await page.close();
  const cookies = await context.cookies(appUrl);
  return { email, context, cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") };
}
