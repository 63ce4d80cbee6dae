import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { ensureSecrets } from "../scripts/lib/setup.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { loadAppManifest } from "../test/manifest";
import { AuthPage, PASSWORD, uniqueEmail } from "./fixtures";
import { recordResponses } from "./leaks";
import { type GitHubUser, type MockGitHub, startMockGitHub } from "./mock-github";
import { AdminPage } from "./pages/admin-page";
import { freePort } from "./scale-out/cluster";

// The operator on a fresh instance of this spec's own (the suite's shared server already has
// accounts, so "the first account" cannot be tested there): the first account is admin and the
// second is not, `npm run admin -- grant` works while the server holds the embedded database,
// /admin shows users and spend but no key material, a non-admin gets 404 and a refusal from the
// admin actions, disable/enable, reset links, and registration closed / invite on the form and
// for OAuth sign-in (GitHub, through AUTH_GITHUB_ENTERPRISE_URL pointed at e2e/mock-github.ts).

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
const manifest = loadAppManifest();

type Server = { child: ChildProcess; origin: string; dataDir: string; exited: Promise<number | null> };
let server: Server;
let github: MockGitHub;

function serverEnv(dataDir: string, port?: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "REGISTRATION"]) delete env[k];
  return {
    ...env,
    BYOK_DATA_DIR: dataDir,
    ...(port ? { PORT: String(port), AUTH_URL: `http://localhost:${port}` } : {}),
    OPENAI_BASE_URL: `${MOCK}/v1`,
    AUTH_GITHUB_ID: github.clientId,
    AUTH_GITHUB_SECRET: github.clientSecret,
    AUTH_GITHUB_ENTERPRISE_URL: github.url,
    ALLOW_PRIVATE_BASE_URLS: "true",
    RATE_LIMIT_SIGNUP_PER_15_MIN: "1000",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  github = await startMockGitHub();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "byok-e2e-op-"));
  ensureSecrets(dataDir, { ...process.env, DATABASE_URL: "" });
  await migrate({ dataDir, log: () => {} });
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/server.mjs"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...serverEnv(dataDir, port), NODE_ENV: "production" },
  });
  let out = "";
  child.stdout?.on("data", (b) => (out += b));
  child.stderr?.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes("serving on")) {
        clearInterval(check);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`server exited (${code}) before serving:\n${out}`));
    });
  });
  server = { child, origin: `http://localhost:${port}`, dataDir, exited };
});

test.afterAll(async () => {
  if (server) {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  await github?.close();
});

/** `npm run admin -- …` against this spec's server (embedded: through its control socket). */
function adminCommand(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn("npm", ["run", "--silent", "admin", "--", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: serverEnv(server.dataDir),
  });
  let out = "";
  child.stdout?.on("data", (b) => (out += b));
  child.stderr?.on("data", (b) => (out += b));
  return new Promise((r) => child.on("exit", (code) => r({ code, out })));
}

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

const people = {
  admin: uniqueEmail("first"),
  second: uniqueEmail("second"),
  invited: uniqueEmail("invited"),
};
let adminPage: Page;
let secondPage: Page;

test("the first account of a fresh instance is admin and the second is not", async ({ browser }) => {
  adminPage = await newPage(browser);
  const auth = new AuthPage(adminPage, server.origin);
  await adminPage.goto(`${server.origin}/sign-up`);
  await expect(adminPage.getByTestId("first-admin-note")).toBeVisible();
  await auth.signUp(people.admin);
  const admin = new AdminPage(adminPage, server.origin);
  expect(await admin.goto()).toBe(200);
  await expect(admin.row(people.admin).getByTestId("badge-admin")).toBeVisible();

  secondPage = await newPage(browser);
  await secondPage.goto(`${server.origin}/sign-up`);
  await expect(secondPage.getByLabel("Email")).toBeVisible();
  await expect(secondPage.getByTestId("first-admin-note")).toHaveCount(0);
  await new AuthPage(secondPage, server.origin).signUp(people.second);
  expect(await new AdminPage(secondPage, server.origin).goto()).toBe(404);
});

test("a non-admin is refused by every admin action of the manifest", async () => {
  const me = await adminPage.request.get(`${server.origin}/api/me`);
  const adminId = ((await me.json()) as { id: string }).id;
  const adminActions = manifest.actions.filter((a) => a.file.startsWith("app/(app)/admin/"));
  expect(adminActions.map((a) => a.name).sort()).toEqual([
    "adminUserAction",
    "createInviteAction",
    "saveSettingsAction",
  ]);
  const inputs: Record<string, unknown> = {
    adminUserAction: { op: "disable", userId: adminId },
    createInviteAction: {},
    saveSettingsAction: {
      registration: "closed",
      systemKeyAccess: "none",
      systemKeyDailyRequests: null,
      systemKeyDailyTokens: null,
    },
  };
  for (const action of adminActions) {
    expect(action.id, `${action.name}: npm run build`).not.toBeNull();
    const res = await secondPage.request.post(`${server.origin}/admin`, {
      headers: {
        "next-action": action.id as string,
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
        origin: server.origin,
      },
      data: JSON.stringify([inputs[action.name]]),
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    const body = await res.text();
    expect(res.status(), `${action.name}: ${body.slice(0, 200)}`).toBeLessThan(500);
    expect(body, action.name).toContain('"code":"NOT_FOUND"');
    expect(body, action.name).not.toContain("/sign-up?invite=");
  }
  // Nothing changed: the admin is still an enabled admin, registration still open.
  expect((await adminPage.request.get(`${server.origin}/api/me`)).status()).toBe(200);
  expect(await new AdminPage(adminPage, server.origin).goto()).toBe(200);
});

test("npm run admin -- grant makes the second account an admin while the server runs (embedded)", async () => {
  // The control socket: owner-only, inside the data directory.
  const sock = path.join(server.dataDir, "control", "admin.sock");
  expect(statSync(sock).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
  const granted = await adminCommand("grant", people.second.toUpperCase());
  expect(granted, granted.out).toMatchObject({ code: 0 });
  expect(granted.out).toContain(`${people.second} is now an admin`);
  expect(await new AdminPage(secondPage, server.origin).goto()).toBe(200);
  const revoked = await adminCommand("revoke", people.second);
  expect(revoked.code, revoked.out).toBe(0);
  expect(await new AdminPage(secondPage, server.origin).goto()).toBe(404);
  const unknown = await adminCommand("grant", "nobody@example.test");
  expect(unknown.code).toBe(1);
  expect(unknown.out).toContain("No account with that email");
});

test("an admin sees users and spend but no key material", async () => {
  const key = `sk-proj-${"Operator0Leak9Probe".repeat(2)}ZqXj`;
  const saved = await secondPage.request.put(`${server.origin}/api/keys/openai`, {
    headers: { origin: server.origin },
    data: { apiKey: key },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const bodies = recordResponses(adminPage);
  const admin = new AdminPage(adminPage, server.origin);
  expect(await admin.goto()).toBe(200);
  await expect(admin.row(people.second).getByTestId("personal-keys")).toHaveText("openai");
  await expect(admin.row(people.second).getByTestId("system-spend")).toContainText("requests");
  // The page as rendered and everything the browser received for it (document, RSC payloads).
  await adminPage.reload();
  await expect(admin.row(people.second)).toBeVisible();
  const texts = [...bodies, await adminPage.content()];
  for (const fragment of [key, key.slice(8, 20), "ZqXj", "sk-proj", "Operator0Leak"]) {
    expect(
      texts.filter((t) => t.includes(fragment)),
      fragment,
    ).toEqual([]);
  }
});

test("disable ends the user's sessions and refuses sign-in; enable lets them sign in again", async () => {
  const admin = new AdminPage(adminPage, server.origin);
  await admin.goto();
  expect(await admin.act(people.second, "Disable")).toContain("is disabled");
  expect((await secondPage.request.get(`${server.origin}/api/me`)).status()).toBe(401);
  expect((await secondPage.request.get(`${server.origin}/api/keys`)).status()).toBe(401);
  await secondPage.goto(`${server.origin}/chat`);
  await expect(secondPage).toHaveURL(/\/sign-in/);
  // Sign-in is refused too, with the right password.
  const other = await newPage(adminPage.context().browser() as Browser);
  await new AuthPage(other, server.origin).signIn(people.second);
  await expect(other.getByRole("main").getByRole("alert")).toContainText("disabled");
  // The last admin cannot disable themselves.
  expect(await admin.act(people.admin, "Disable")).toContain("last active admin");
  expect(await admin.act(people.second, "Enable")).toContain("is enabled");
  // The old session stays ended; signing in again works.
  expect((await secondPage.request.get(`${server.origin}/api/me`)).status()).toBe(401);
  await new AuthPage(secondPage, server.origin).signIn(people.second);
  await expect(secondPage).toHaveURL(/\/chat/);
  expect((await secondPage.request.get(`${server.origin}/api/me`)).status()).toBe(200);
  await other.context().close();
});

test("a reset link sets a new password once", async ({ browser }) => {
  const admin = new AdminPage(adminPage, server.origin);
  await admin.goto();
  const link = await admin.resetLink(people.second);
  const visitor = await newPage(browser);
  await visitor.goto(link);
  await visitor.getByLabel("New password").fill("Tidal-Lantern-Mosaic-47");
  await visitor.getByLabel("Repeat it").fill("Tidal-Lantern-Mosaic-47");
  await visitor.getByRole("button", { name: "Set new password" }).click();
  await expect(visitor.getByText("Your password was changed.")).toBeVisible();
  await visitor.goto(link);
  await expect(visitor.getByTestId("reset-invalid")).toBeVisible();
  const auth = new AuthPage(visitor, server.origin);
  await auth.signIn(people.second, PASSWORD);
  await expect(visitor.getByRole("main").getByRole("alert")).toContainText("Wrong email or password");
  await auth.signIn(people.second, "Tidal-Lantern-Mosaic-47");
  await expect(visitor).toHaveURL(/\/chat/);
  // From the shell too.
  const cli = await adminCommand("reset-link", people.second);
  expect(cli.code, cli.out).toBe(0);
  expect(cli.out).toMatch(new RegExp(`${server.origin}/reset-password\\?token=[A-Za-z0-9_-]{43}`));
  await visitor.context().close();
});

test("registration invite and closed hold for the form", async ({ browser }) => {
  const admin = new AdminPage(adminPage, server.origin);
  await admin.goto();
  await admin.saveSettings({ registration: "invite" });
  const visitor = await newPage(browser);
  await visitor.goto(`${server.origin}/sign-up`);
  await expect(visitor.getByTestId("registration-closed")).toContainText("by invitation");
  await expect(visitor.getByLabel("Email")).toHaveCount(0);

  const invite = await admin.createInvite();
  const auth = new AuthPage(visitor, server.origin);
  await visitor.goto(invite);
  await visitor.getByLabel("Email").fill(people.invited);
  await visitor.getByLabel("Password").fill(PASSWORD);
  await visitor.getByRole("button", { name: "Create account" }).click();
  await expect(visitor).toHaveURL(/\/sign-in\?notice=signed-up/);
  await auth.signIn(people.invited);
  await expect(visitor).toHaveURL(/\/chat/);
  await auth.signOut();
  // Single use.
  await visitor.goto(invite);
  await visitor.getByLabel("Email").fill(uniqueEmail("reuse"));
  await visitor.getByLabel("Password").fill(PASSWORD);
  await visitor.getByRole("button", { name: "Create account" }).click();
  await expect(visitor.getByRole("main").getByRole("alert")).toContainText("not valid");

  await admin.saveSettings({ registration: "closed" });
  const closedInvite = await admin.createInvite();
  await visitor.goto(`${server.origin}/sign-up`);
  await expect(visitor.getByTestId("registration-closed")).toContainText("closed");
  // An admin's invite does not open a closed instance.
  await visitor.goto(closedInvite);
  await visitor.getByLabel("Email").fill(uniqueEmail("closed"));
  await visitor.getByLabel("Password").fill(PASSWORD);
  await visitor.getByRole("button", { name: "Create account" }).click();
  await expect(visitor.getByRole("main").getByRole("alert")).toContainText("not valid");
  await visitor.context().close();
});

let ghId = 7_000_000;
const ghUser = (tag: string): GitHubUser => {
  ghId += 1;
  return { id: ghId, login: `${tag}-${ghId}`, email: uniqueEmail(`gh-${tag}`), name: `GitHub ${tag}` };
};

/** "Continue with GitHub" on `from` as `user`; resolves on the page the round trip ends on. */
async function viaGitHub(page: Page, user: GitHubUser, from = "/sign-in"): Promise<void> {
  github.as(user);
  await page.goto(from.startsWith("http") ? from : `${server.origin}${from}`);
  await page.getByRole("button", { name: "Continue with GitHub" }).click();
  await page.waitForURL((u) => u.pathname === "/chat" || u.pathname === "/sign-in", { timeout: 30_000 });
}

test("registration closed and invite hold for OAuth sign-in as for the form", async ({ browser }) => {
  // Five GitHub round trips through the mock provider: more than the suite's 60 s when loaded.
  test.setTimeout(180_000);
  const admin = new AdminPage(adminPage, server.origin);
  await admin.goto();
  // Open first: a first GitHub sign-in is a sign-up, and it works (the provider round trip is real).
  await admin.saveSettings({ registration: "open" });
  const early = ghUser("early");
  const visitor = await newPage(browser);
  await viaGitHub(visitor, early);
  await expect(visitor).toHaveURL(/\/chat/);
  expect(
    ((await (await visitor.request.get(`${server.origin}/api/me`)).json()) as { email: string }).email,
  ).toBe(early.email);
  await visitor.context().close();

  await admin.saveSettings({ registration: "closed" });
  const stranger = ghUser("closed");
  const closed = await newPage(browser);
  await viaGitHub(closed, stranger);
  await expect(closed).toHaveURL(/\/sign-in\?error=RegistrationClosed/);
  await expect(closed.getByRole("main").getByRole("alert")).toContainText(
    "registration on this instance is closed",
  );
  expect((await closed.request.get(`${server.origin}/api/me`)).status()).toBe(401);
  // An identity already linked still signs in while registration is closed.
  await viaGitHub(closed, early);
  await expect(closed).toHaveURL(/\/chat/);
  await closed.context().close();

  await admin.saveSettings({ registration: "invite" });
  const uninvited = await newPage(browser);
  await viaGitHub(uninvited, ghUser("uninvited"));
  await expect(uninvited).toHaveURL(/\/sign-in\?error=RegistrationClosed/);
  await uninvited.context().close();

  // The invite link's sign-up page carries the invite through the provider round trip, once.
  const invite = await admin.createInvite();
  const invited = ghUser("invited");
  const guest = await newPage(browser);
  await viaGitHub(guest, invited, invite);
  await expect(guest).toHaveURL(/\/chat/);
  await guest.context().close();
  const reuse = await newPage(browser);
  await viaGitHub(reuse, ghUser("reuse"), invite);
  await expect(reuse).toHaveURL(/\/sign-in\?error=RegistrationClosed/);
  await reuse.context().close();

  await admin.goto();
  await expect(admin.row(early.email as string)).toBeVisible();
  await expect(admin.row(invited.email as string)).toBeVisible();
  await expect(admin.row(stranger.email as string)).toHaveCount(0);
});
