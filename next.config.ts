import type { NextConfig } from "next";

// Headers that are the same on every response: pages, route handlers, static assets, errors.
// Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts; the paths
// the proxy skips — route handlers, Next's assets, files in public/ — get a policy that allows
// nothing, which is all a JSON body, a script file or an icon needs.
// These are compiled into the build's routes manifest, so HSTS here follows the AUTH_URL the
// build saw; proxy.ts adds it to pages from the AUTH_URL the server runs with, and any response
// reached over https (X-Forwarded-Proto from the TLS terminator) gets it too.
const HSTS = { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" };
const STATIC_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  {
    key: "Permissions-Policy",
    value:
      "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=(), interest-cohort=()",
  },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ...(process.env.AUTH_URL?.startsWith("https://") ? [HSTS] : []),
];
const NO_CONTENT_CSP = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
];
const PUBLIC_FILE = "/:file((?!_next/).*\\.(?:svg|png|jpg|jpeg|gif|webp|ico|txt|xml|webmanifest))";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: STATIC_HEADERS },
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [HSTS],
      },
      { source: "/api/:path*", headers: NO_CONTENT_CSP },
      { source: "/_next/:path*", headers: NO_CONTENT_CSP },
      { source: PUBLIC_FILE, headers: NO_CONTENT_CSP },
    ];
  },
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
    "undici",
  ],
};

export default nextConfig;
