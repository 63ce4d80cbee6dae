import { vi } from "vitest";
import { onPostgres } from "@/test/harness";

// endpoints-race.test.ts on a temporary PostgreSQL database: READ COMMITTED transactions really
// run side by side there, so without lib/keys/lock.ts two racing adds could both pass the check.
vi.mock("server-only", () => ({}));
await onPostgres("endpoint names under races on PostgreSQL", () => import("./endpoints-race.test"));
