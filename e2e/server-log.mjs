import os from "node:os";
import path from "node:path";

/** Where e2e/serve-app.mjs writes the app server's output, per port. */
export function serverLogPath(port = process.env.E2E_APP_PORT || "3300") {
  return path.join(os.tmpdir(), `byok-e2e-server-${port}.log`);
}

/** Where e2e/serve-app.mjs records the data directory of the server under test. */
export function serverStatePath(port = process.env.E2E_APP_PORT || "3300") {
  return path.join(os.tmpdir(), `byok-e2e-state-${port}.json`);
}
