import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// key-limits.test.ts again, on a temporary PostgreSQL database instead of PGlite (the scope
// column's unique index, the cascade from a removed key).
vi.mock("server-only", () => ({}));
await onPostgres("spending limits per key on PostgreSQL", () => import("./key-limits.test"));
