import { existsSync } from "node:fs";

// One Chromium set-up for the e2e suite and the bench: Debian's /usr/bin/chromium when present
// (Playwright cannot download browsers here), and flags that keep it off the closed network.

export const chromiumPath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];
