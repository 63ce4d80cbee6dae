import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "@/lib/ai/registry";
import { startTurn } from "@/lib/chat/turn";
import { testKey } from "@/lib/keys/probe";
import { saveKey } from "@/lib/keys/save";
import { clientId, readAll } from "@/test/chat-stream";
import { type Harness, startHarness } from "@/test/harness";

vi.mock("server-only", () => ({}));

// The database half of the canary scan (the browser, API and log half is
// e2e/adversarial/canary.spec.ts, which cannot read the database while the server holds it):
// canary keys for every provider go through save, Test, a good chat turn and a rejected one; then
// every text, varchar and JSON column of every table is searched for each key and for a
// 12-character piece of its secret middle. Only ciphertext may be stored.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const core = () => randomBytes(12).toString("hex");
type Canary = { provider: ProviderId; key: string; model: string; piece: string };

function canaries(): Canary[] {
  const made: Canary[] = [];
  const add = (provider: ProviderId, prefix: string, model: string, word = "") => {
    const middle = core();
    made.push({ provider, key: `${prefix}${word}${middle}Zq9w`, model, piece: middle.slice(4, 16) });
  };
  add("openai", "sk-proj-canary", "gpt-5-mini");
  add("groq", "gsk_canary", "llama-3.3-70b-versatile");
  add("google", "AIzaCanary", "gemini-2.5-flash");
  add("compatible", "ck-canary", "mock-model");
  // Rejected by the mock: the error paths (mark invalid, audit, error answer) must not keep it either.
  add("openai", "sk-proj-canary", "gpt-5-mini", "-invalid-");
  add("groq", "gsk_canary", "llama-3.3-70b-versatile", "_quota_");
  return made;
}

async function textColumns(): Promise<{ table: string; column: string }[]> {
  return h.handle.prisma.$queryRawUnsafe(
    `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb')`,
  );
}

describe("canary keys in the database", () => {
  it("no table keeps a plaintext key or a piece of one after save, Test, chat and errors", async () => {
    const all = canaries();
    for (const c of all) {
      const userId = await h.newUser();
      if (c.provider === "compatible")
        await saveKey(
          userId,
          c.provider,
          { apiKey: c.key, baseUrl: h.mock.baseUrls.compatible },
          undefined,
          h.deps,
        );
      else await saveKey(userId, c.provider, { apiKey: c.key }, undefined, h.deps);
      await testKey(userId, c.provider, {}, undefined, h.deps);
      const input = {
        userId,
        chatId: clientId("c"),
        message: { id: clientId(), text: `canary turn for ${c.provider}` },
        provider: c.provider,
        model: c.model,
      };
      try {
        const handle = await startTurn(input, new AbortController().signal, h.turnDeps());
        await readAll(handle.stream);
        await handle.done;
      } catch {
        // A rejected key ends the turn before any token: that path is scanned too.
      }
    }

    const columns = await textColumns();
    expect(columns.length).toBeGreaterThan(10);
    const rows = await h.handle.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "ProviderKey"`,
    );
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(all.length);

    const found: string[] = [];
    for (const { table, column } of columns) {
      for (const c of all) {
        for (const needle of [c.key, c.piece]) {
          const hit = await h.handle.prisma.$queryRawUnsafe<{ n: bigint }[]>(
            `SELECT count(*) AS n FROM "${table}" WHERE "${column}"::text LIKE $1`,
            `%${needle}%`,
          );
          if (Number(hit[0]?.n) > 0)
            found.push(`${table}.${column} holds ${needle === c.key ? "a key" : "a piece"}`);
        }
      }
    }
    console.log(
      `canary (database): ${all.length} keys × ${columns.length} text columns × 2 needles, ${found.length} found`,
    );
    expect(found).toEqual([]);
  });
});
