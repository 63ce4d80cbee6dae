import { defineConfig, devices } from "@playwright/test";
import { chromiumArgs, chromiumPath } from "./e2e/chromium";

const appPort = process.env.E2E_APP_PORT ?? "3300";
const mockPort = process.env.E2E_MOCK_PORT ?? "4300";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: `http://localhost:${appPort}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
      },
    },
  ],
  webServer: [
    {
      command: `node e2e/mock-upstream/server.mjs --port ${mockPort}`,
      url: `http://127.0.0.1:${mockPort}/__mock/requests`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: "node e2e/serve-app.mjs",
      url: `http://localhost:${appPort}/sign-in`,
      env: { E2E_APP_PORT: appPort, E2E_MOCK_URL: `http://127.0.0.1:${mockPort}` },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
