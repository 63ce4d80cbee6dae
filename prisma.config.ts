import path from "node:path";
import { defineConfig } from "prisma/config";

// No native schema engine can be downloaded on offline machines: the CLI drives the wasm build
// through this bridge. `??=` lets a machine that has the native binary point at it instead.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "scripts", "schema-engine.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // Only the migrate/db commands need a database; `prisma generate` must work without one.
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
