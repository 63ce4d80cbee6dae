import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// storm.test.ts again, on a temporary PostgreSQL database instead of PGlite (real concurrency:
// a pool of connections, row locks, READ COMMITTED snapshots).
vi.mock("server-only", () => ({}));
await onPostgres("storm on PostgreSQL", () => import("./storm.test"));
