import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// versions.test.ts again, on a temporary PostgreSQL database instead of PGlite (the recursive
// path queries and the search over the shown path).
vi.mock("server-only", () => ({}));
await onPostgres("versions on PostgreSQL", () => import("./versions.test"));
