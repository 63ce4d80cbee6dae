import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { adminQuery, dropDatabase, withDatabase } from "../scripts/db/engine.mjs";
import { postgresRequired, postgresUnavailable, TEST_POSTGRES_URL } from "../scripts/db/postgres-probe.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { type SmtpSink, startSmtpSink } from "../test/smtp-sink";
import { AuthPage, PASSWORD, uniqueEmail } from "./fixtures";
import { AdminPage } from "./pages/admin-page";
import {
  freePort,
  type Instance,
  isolatedEnv,
  masterKey,
  root,
  scratchDir,
  startServer,
  stopAll,
} from "./scale-out/cluster";

// A production server on a PostgreSQL database of this spec's own, with SMTP_URL pointed at a
// local SMTP sink the spec starts (test/smtp-sink.ts): sign-up waits for the mailed link,
// "Forgot password?" mails a reset link that works once and expires (the spec moves the link's
// expiry into the past in the database: no waiting), and `npm run admin -- grant` makes the second
// account an admin while the server runs (the embedded case is in operator.spec.ts). Needs
// PostgreSQL on 127.0.0.1:5432 (TEST_POSTGRES_URL): skipped without it unless REQUIRE_POSTGRES=1.

test.describe.configure({ mode: "serial", timeout: 120_000 });

let sink: SmtpSink;
let database: { url: string; name: string } | undefined;
let scratch: ReturnType<typeof scratchDir>;
let app: Instance;

function baseEnv(): NodeJS.ProcessEnv {
  return {
    ...isolatedEnv(),
    BYOK_DATA_DIR: scratch.dir,
    BYOK_MASTER_KEYS: masterKey("k1"),
    AUTH_SECRET: `accounts-postgres-suite-${randomUUID()}`,
    DATABASE_URL: database?.url ?? "",
    SMTP_URL: sink.url,
    RATE_LIMIT_SIGNUP_PER_15_MIN: "1000",
  };
}

test.beforeAll(async () => {
  const unavailable = await postgresUnavailable();
  if (unavailable && postgresRequired()) throw new Error(`${unavailable} (REQUIRE_POSTGRES=1)`);
  test.skip(!!unavailable, `PostgreSQL accounts suite skipped: ${unavailable}`);
  scratch = scratchDir();
  sink = await startSmtpSink();
  const name = `byok_accounts_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  database = { name, url: withDatabase(TEST_POSTGRES_URL, name) };
  await adminQuery(TEST_POSTGRES_URL, `CREATE DATABASE "${name}"`);
  await migrate({ databaseUrl: database.url, log: () => undefined });
  app = await startServer("accounts", await freePort(), baseEnv());
});

test.afterAll(async () => {
  await stopAll();
  await sink?.close();
  if (database) await dropDatabase(database.url).catch(() => undefined);
  scratch?.remove();
});

const sql = async (text: string) => adminQuery(database?.url ?? "", text);
const mailedLink = (path: string) =>
  new RegExp(`(http://127\\.0\\.0\\.1:\\d+${path}\\?token=[A-Za-z0-9_-]{43})`);

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Signs up through the form, follows the mailed link, signs in: the whole SMTP sign-up. */
async function signUpConfirmed(page: Page, email: string): Promise<void> {
  const auth = new AuthPage(page, app.url);
  const from = sink.inbox.length;
  await auth.submitSignUp(email);
  await expect(page).toHaveURL(/\/verify-email\?sent=1/);
  const { match } = await sink.waitFor(email, mailedLink("/verify-email"), from);
  await page.goto(match[1] as string);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page).toHaveURL(/\/sign-in\?notice=verified/);
  await auth.signIn(email);
  await expect(page).toHaveURL(/\/chat/);
}

const people = { first: uniqueEmail("pg-first"), second: uniqueEmail("pg-second") };
let firstPage: Page;
let secondPage: Page;

test("with SMTP, sign-up says 'check your inbox' and the account waits for the mailed link", async ({
  browser,
}) => {
  firstPage = await newPage(browser);
  const auth = new AuthPage(firstPage, app.url);
  const from = sink.inbox.length;
  await auth.submitSignUp(people.first);
  await expect(firstPage).toHaveURL(/\/verify-email\?sent=1/);
  await expect(firstPage.getByTestId("check-inbox")).toBeVisible();
  const { match } = await sink.waitFor(people.first, mailedLink("/verify-email"), from);

  // Not usable before the link: told only with the right password.
  await auth.signIn(people.first);
  await expect(auth.alert).toContainText("Confirm your email first");
  await auth.signIn(people.first, "a wrong password");
  await expect(auth.alert).toContainText("Wrong email or password");

  await firstPage.goto(match[1] as string);
  await firstPage.getByRole("button", { name: "Confirm my email" }).click();
  await expect(firstPage).toHaveURL(/\/sign-in\?notice=verified/);
  // Single use.
  await firstPage.goto(match[1] as string);
  await expect(firstPage.getByTestId("verify-invalid")).toBeVisible();
  await auth.signIn(people.first);
  await expect(firstPage).toHaveURL(/\/chat/);

  // The same answer for a registered address; its owner gets a note, not a link.
  const visitor = await newPage(browser);
  const again = sink.inbox.length;
  await new AuthPage(visitor, app.url).submitSignUp(people.first, "Some-Other-Passphrase-5");
  await expect(visitor).toHaveURL(/\/verify-email\?sent=1/);
  await expect(visitor.getByTestId("check-inbox")).toBeVisible();
  const note = await sink.waitFor(people.first, /already has one/, again);
  expect(note.body).not.toMatch(/token=/);
  await visitor.context().close();
});

test("Forgot password? mails a reset link that works once and expires; the answer is neutral", async ({
  browser,
}) => {
  // Three mails, two resets and three sign-ins on PostgreSQL: one CI run on a loaded machine
  // spent the whole 120 s and timed out in the last sign-in.
  test.setTimeout(240_000);
  let visitor = await newPage(browser);
  const ask = async (email: string) => {
    await visitor.goto(`${app.url}/sign-in`);
    await visitor.getByRole("link", { name: "Forgot password?" }).click();
    // The sign-in form has an Email field too: under load the fill landed there, the navigation
    // then replaced the page and an empty form was sent ("Enter your email.").
    await expect(visitor.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await visitor.getByLabel("Email").fill(email);
    await visitor.getByRole("button", { name: "Mail me a reset link" }).click();
    return (await visitor.getByTestId("mail-link-sent").textContent()) ?? "";
  };
  const from = sink.inbox.length;
  const known = await ask(people.first);
  const unknown = await ask(uniqueEmail("nobody"));
  expect(unknown).toBe(known);
  const link = (await sink.waitFor(people.first, mailedLink("/reset-password"), from)).match[1] as string;

  const NEW_PASSWORD = "Copper-Meadow-Signal-58";
  await visitor.goto(link);
  await visitor.getByLabel("New password").fill(NEW_PASSWORD);
  await visitor.getByLabel("Repeat it").fill(NEW_PASSWORD);
  await visitor.getByRole("button", { name: "Set new password" }).click();
  await expect(visitor.getByText("Your password was changed.")).toBeVisible();
  await visitor.goto(link);
  await expect(visitor.getByTestId("reset-invalid")).toBeVisible();
  // The reset ended the sessions of the account: the first page's cookie is refused.
  expect((await firstPage.request.get(`${app.url}/api/me`)).status()).toBe(401);
  const auth = new AuthPage(visitor, app.url);
  await auth.signIn(people.first, PASSWORD);
  await expect(auth.alert).toContainText("Wrong email or password");
  await auth.signIn(people.first, NEW_PASSWORD);
  await expect(visitor).toHaveURL(/\/chat/);
  // Signed out for what follows: a new browser context. Clearing the cookies was not enough: a
  // request of the /chat page still in flight set the session cookie again (seen twice).
  await visitor.context().close();
  visitor = await newPage(browser);

  // A link past its expiry does nothing.
  const next = sink.inbox.length;
  await ask(people.first);
  const late = (await sink.waitFor(people.first, mailedLink("/reset-password"), next)).match[1] as string;
  await sql(
    `UPDATE "PasswordResetToken" SET "expiresAt" = now() - interval '1 second' WHERE "usedAt" IS NULL`,
  );
  await visitor.goto(late);
  await expect(visitor.getByTestId("reset-invalid")).toBeVisible();
  await new AuthPage(visitor, app.url).signIn(people.first, NEW_PASSWORD);
  await expect(visitor).toHaveURL(/\/chat/);
  firstPage = visitor;
});

test("npm run admin -- grant makes the second account an admin while the server runs (PostgreSQL)", async ({
  browser,
}) => {
  secondPage = await newPage(browser);
  await signUpConfirmed(secondPage, people.second);
  expect(await new AdminPage(firstPage, app.url).goto()).toBe(200);
  expect(await new AdminPage(secondPage, app.url).goto()).toBe(404);

  const admin = (...args: string[]) => {
    // As an operator runs it: the same configuration as the server (DATABASE_URL).
    const child = spawn("npm", ["run", "--silent", "admin", "--", ...args], {
      cwd: root,
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (b) => (out += b));
    child.stderr?.on("data", (b) => (out += b));
    return new Promise<{ code: number | null; out: string }>((r) =>
      child.on("exit", (code) => r({ code, out })),
    );
  };
  const granted = await admin("grant", people.second);
  expect(granted, granted.out).toMatchObject({ code: 0 });
  expect(granted.out).toContain(`${people.second} is now an admin`);
  expect(await new AdminPage(secondPage, app.url).goto()).toBe(200);
  const revoked = await admin("revoke", people.second);
  expect(revoked.code, revoked.out).toBe(0);
  expect(await new AdminPage(secondPage, app.url).goto()).toBe(404);
});
