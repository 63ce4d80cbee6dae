import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "@/test/manifest";
import { USER_DATA_COVERAGE } from "./coverage";

// Walks prisma/schema.prisma: every model that references User — a relation field of type User,
// or a column named userId / *UserId — must be listed in USER_DATA_COVERAGE, so "export my data"
// and "delete my account" cannot silently miss a new table. A small parser of the schema file:
// models are `model Name { … }` blocks, fields are `name Type[?|[]] …` lines.

type Field = { name: string; type: string };
type Model = { name: string; fields: Field[] };

function parseModels(schema: string): Model[] {
  const models: Model[] = [];
  const block = /^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (const m of schema.matchAll(block)) {
    const fields: Field[] = [];
    for (const raw of (m[2] ?? "").split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line || line.startsWith("@@")) continue;
      const f = /^(\w+)\s+(\w+)(\[\]|\?)?/.exec(line);
      if (f) fields.push({ name: f[1] as string, type: f[2] as string });
    }
    models.push({ name: m[1] as string, fields });
  }
  return models;
}

/** Models whose rows belong to a user: User itself, and any model pointing at it. */
function userDataModels(models: Model[]): string[] {
  return models
    .filter(
      (m) =>
        m.name === "User" || m.fields.some((f) => f.type === "User" || /^(user|\w+User)Id$/.test(f.name)),
    )
    .map((m) => m.name)
    .sort();
}

const schema = readFileSync(path.join(repoRoot, "prisma/schema.prisma"), "utf8");

describe("user-data coverage of export and deletion", () => {
  it("the parser finds the models and their User references", () => {
    const models = parseModels(schema);
    expect(models.map((m) => m.name)).toContain("DeletedAccount");
    expect(userDataModels(models)).toEqual(
      expect.arrayContaining(["User", "Chat", "Message", "ProviderKey"]),
    );
    // DeletedAccount must not point at a user: it would link the record back to the person.
    expect(userDataModels(models)).not.toContain("DeletedAccount");
  });

  it("fails for a model it has not seen (the walker is not a fixed list)", () => {
    const extra = `${schema}\nmodel Note {\n  id String @id\n  ownerUserId String\n}\nmodel Tag {\n  id String @id\n  user User @relation(fields: [uid], references: [id])\n  uid String\n}\n`;
    const missing = userDataModels(parseModels(extra)).filter((m) => !(m in USER_DATA_COVERAGE));
    expect(missing).toEqual(["Note", "Tag"]);
  });

  it("every model that references User is covered by export and deletion", () => {
    const missing = userDataModels(parseModels(schema)).filter((m) => !(m in USER_DATA_COVERAGE));
    expect(missing, `add these models to lib/account/coverage.ts: ${missing.join(", ")}`).toEqual([]);
  });

  it("the coverage table names no model the schema lacks", () => {
    const names = new Set(parseModels(schema).map((m) => m.name));
    expect(Object.keys(USER_DATA_COVERAGE).filter((m) => !names.has(m))).toEqual([]);
  });

  it("User is deleted last (children first)", () => {
    expect(Object.keys(USER_DATA_COVERAGE).at(-1)).toBe("User");
  });
});
