import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // A second build directory lets a benchmark or a scratch build run beside the main one.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Keep the database drivers (and PGlite's wasm) out of the bundles; loaded from node_modules.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "pg",
    "@node-rs/argon2",
    "rate-limiter-flexible",
    "ioredis",
  ],
};

export default nextConfig;
