import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { type Harness, startHarness } from "@/test/harness";
import { describePostgres } from "@/test/postgres";
import { listAudit } from "./audit";
import { removeKey } from "./manage";
import { saveKey } from "./save";

vi.mock("server-only", () => ({}));

// Racing removes of one key (a double-clicked Remove, two tabs, a script): exactly one removes
// it and writes the audit row, every other one answers NOT_FOUND — never an unexpected error
// (Prisma's P2025 from delete() used to surface as a 500 for most of them on PostgreSQL).

const RACERS = 16;

function raceSuite(db: "pglite" | "postgres") {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db });
  });
  afterAll(() => h?.close());

  it(`${RACERS} concurrent removes: one removes, the rest answer NOT_FOUND`, async () => {
    for (let round = 0; round < 3; round++) {
      const user = await h.newUser();
      await saveKey(user, "openai", { apiKey: "sk-proj-okKeyAbcdefghijklmnop7Q2z" }, undefined, h.deps);
      const outcomes = await Promise.allSettled(
        Array.from({ length: RACERS }, () => removeKey(user, "openai", undefined, h.deps)),
      );
      const removed = outcomes.filter((o) => o.status === "fulfilled").length;
      const refused = outcomes.flatMap((o) =>
        o.status === "rejected" ? [o.reason instanceof AppError ? o.reason.code : String(o.reason)] : [],
      );
      expect(removed).toBe(1);
      expect(refused).toEqual(Array(RACERS - 1).fill("NOT_FOUND"));
      const audit = await listAudit(user, { limit: 100 }, h.deps);
      expect(audit.items.filter((e) => e.action === "key.removed")).toHaveLength(1);
    }
  });
}

describe("racing key removes on PGlite", () => raceSuite("pglite"));
describePostgres("racing key removes on PostgreSQL", () => raceSuite("postgres"));
