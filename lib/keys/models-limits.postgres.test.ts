import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// models-limits.test.ts again, on a temporary PostgreSQL database instead of PGlite (its raw
// SQL: the JSON model list, the compare-and-set refresh).
vi.mock("server-only", () => ({}));
await onPostgres("models and limits on PostgreSQL", () => import("./models-limits.test"));
