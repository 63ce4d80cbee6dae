import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // lib modules that hold keys import "server-only"; outside a React server build it is a no-op.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: [
      "lib/**/*.test.ts",
      "scripts/**/*.test.ts",
      "e2e/mock-upstream/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    environment: "node",
    // The suites' mock upstream listens on loopback; the SSRF guard's own tests turn this off.
    env: { ALLOW_PRIVATE_BASE_URLS: "true" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports "next/server" without an extension, which Node's resolver refuses; through
    // Vite's it loads (lib/operator tests call the real signIn callback).
    server: { deps: { inline: ["next-auth"] } },
  },
});
