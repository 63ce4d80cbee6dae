import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { type Harness, startHarness } from "@/test/harness";
import { groupEndpoints } from "./endpoints";
import { listKeys, updateKey } from "./manage";
import { addKey } from "./save";

vi.mock("server-only", () => ({}));

// Endpoint names stay unique when the adds race (lib/keys/lock.ts). On PGlite transactions take
// turns anyway; endpoints-race.postgres.test.ts runs this file on PostgreSQL, where they do not.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const ROUNDS = 4;
const RACERS = 4;

async function endpointNames(user: string): Promise<string[]> {
  const rows = (await listKeys(user, h.deps)).filter((k) => k.provider === "compatible");
  return groupEndpoints(rows.map((k) => ({ ...k, id: k.id as string }))).map((e) => e.name.toLowerCase());
}

describe("endpoint names under racing changes", () => {
  it(`${RACERS} racing adds of one new name at different URLs: one stored, the others CONFLICT (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await h.newUser();
      const results = await Promise.allSettled(
        Array.from({ length: RACERS }, (_, i) =>
          addKey(
            user,
            "compatible",
            { baseUrl: `${h.mock.url}/race${i}/v1`, label: "Shared name" },
            undefined,
            h.deps,
          ),
        ),
      );
      const stored = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      expect(stored).toHaveLength(1);
      expect(refused.map((e) => (e instanceof AppError ? e.code : String(e)))).toEqual(
        Array(RACERS - 1).fill("CONFLICT"),
      );
      expect(await endpointNames(user)).toEqual(["shared name"]);
    }
  });

  it("a rename racing an add of the same name: exactly one of them wins", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await h.newUser();
      const first = await addKey(
        user,
        "compatible",
        { baseUrl: `${h.mock.url}/first/v1`, label: "First" },
        undefined,
        h.deps,
      );
      const results = await Promise.allSettled([
        updateKey(
          user,
          { provider: "compatible", id: first.id as string },
          { label: "Taken" },
          undefined,
          h.deps,
        ),
        addKey(user, "compatible", { baseUrl: `${h.mock.url}/second/v1`, label: "taken" }, undefined, h.deps),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const names = await endpointNames(user);
      expect(names.filter((n) => n === "taken")).toHaveLength(1);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
