import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// history.test.ts again, on a temporary PostgreSQL database instead of PGlite.
vi.mock("server-only", () => ({}));
await onPostgres("history on PostgreSQL", () => import("./history.test"));
