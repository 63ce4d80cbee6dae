import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { defaultsSchema, parseProvider, saveKeySchema, testKeyActionSchema, testKeySchema } from "./schemas";

// The vault takes parsed input: these schemas, run once at the boundary (routes and actions),
// are where malformed input is refused.

/** The fields with a problem, once each. */
const issuesOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => [
  ...new Set(r.error?.issues.map((i) => i.path.join(".")) ?? []),
];

describe("key input schemas", () => {
  it("refuses empty keys, keys with spaces or control characters, and unknown fields", () => {
    expect(issuesOf(saveKeySchema.safeParse({ apiKey: "" }))).toEqual(["apiKey"]);
    expect(issuesOf(saveKeySchema.safeParse({ apiKey: "sk-has space in it 1234" }))).toEqual(["apiKey"]);
    expect(issuesOf(saveKeySchema.safeParse({ apiKey: "sk-zero\u200bwidth1234" }))).toEqual(["apiKey"]);
    expect(saveKeySchema.safeParse({ apiKey: "sk-proj-ok", extra: 1 }).success).toBe(false);
    expect(saveKeySchema.parse({ apiKey: "  sk-proj-ok  " })).toEqual({ apiKey: "sk-proj-ok" });
  });

  it("never lets the stored key go to a newly typed URL: a URL comes with a typed key", () => {
    for (const schema of [testKeySchema, testKeyActionSchema]) {
      const extra = schema === testKeyActionSchema ? { provider: "compatible" } : {};
      expect(issuesOf(schema.safeParse({ ...extra, baseUrl: "https://elsewhere.example/v1" }))).toEqual([
        "apiKey",
      ]);
      expect(
        schema.safeParse({ ...extra, apiKey: "abc12345", baseUrl: "https://x.example/v1" }).success,
      ).toBe(true);
      expect(schema.safeParse({ ...extra }).success).toBe(true);
    }
  });

  it("defaults: a known provider and one of its own models", () => {
    expect(defaultsSchema.safeParse({ provider: "groq", model: "llama-3.1-8b-instant" }).success).toBe(true);
    const foreign = defaultsSchema.safeParse({ provider: "groq", model: "gpt-5" });
    expect(issuesOf(foreign)).toEqual(["model"]);
    expect(foreign.error?.issues[0]?.message).toBe("gpt-5 is not a Groq model this app offers.");
    expect(issuesOf(defaultsSchema.safeParse({ provider: "x", model: "gpt-5" }))).toEqual(["provider"]);
  });

  it("an unknown provider in a path or an action is a missing resource (404)", () => {
    expect(parseProvider("openai")).toBe("openai");
    for (const bad of ["anthropic", "", "OPENAI", undefined, 1]) {
      let err: unknown;
      try {
        parseProvider(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("NOT_FOUND");
    }
  });
});
