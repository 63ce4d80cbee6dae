import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// turn.test.ts again, on a temporary PostgreSQL database instead of PGlite.
vi.mock("server-only", () => ({}));
await onPostgres("turn on PostgreSQL", () => import("./turn.test"));
