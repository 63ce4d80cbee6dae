import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";
import { serverStatePath } from "./server-log.mjs";

// The server under test runs on an embedded PGlite directory. A second opener must fail fast
// with a message, and the running app and its data must be unharmed.
test("a second start or migration against a data directory in use fails fast", async ({ page, user }) => {
  const { dataDir } = JSON.parse(readFileSync(serverStatePath(), "utf8")) as { dataDir: string };
  const { email } = user;

  const env = { ...process.env, BYOK_DATA_DIR: dataDir, DATABASE_URL: "", PORT: "3399" };
  const migrate = spawnSync("node", ["scripts/migrate.mjs"], { env, encoding: "utf8", timeout: 60_000 });
  expect(migrate.status).toBe(1);
  expect(migrate.stdout + migrate.stderr).toMatch(/in use by process \d+/);

  const start = spawnSync("node", ["scripts/start.mjs"], { env, encoding: "utf8", timeout: 120_000 });
  expect(start.status).not.toBe(0);
  expect(start.stdout + start.stderr).toMatch(/in use by process \d+/);

  // The running app still serves the user created before, from the same data.
  const me = await page.request.get("/api/me");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email });
});
