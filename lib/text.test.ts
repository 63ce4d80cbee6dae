import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "@/lib/ai/registry";
import { signUpSchema } from "@/lib/auth/schemas";
import { chatRequestSchema, listQuerySchema, renameSchema } from "@/lib/chat/schemas";
import { validationError } from "@/lib/errors";
import { saveKeySchema } from "@/lib/keys/schemas";
import { isStorableText, text, UNSTORABLE_TEXT_MESSAGE } from "@/lib/text";
import { repoRoot } from "@/test/manifest";

const NUL = "\u0000";
const LONE_HIGH = "\ud83d";
const LONE_LOW = "\ude00";

describe("isStorableText", () => {
  it("refuses NUL and lone surrogates anywhere in the string", () => {
    for (const bad of [NUL, `a${NUL}`, `${NUL}b`, LONE_HIGH, `x${LONE_LOW}y`, `${LONE_LOW}${LONE_HIGH}`]) {
      expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it("keeps every other character, terminal escape codes and astral characters included", () => {
    const terminal = "\u001b[31mred\u001b[0m\u0007\t\r\n\u007f\u0085";
    for (const good of ["", "plain", terminal, "😀", "\ud83d\ude00", "\ufeff\u200b", "\uffff"]) {
      expect(isStorableText(good), JSON.stringify(good)).toBe(true);
    }
  });

  it("text() refuses with VALIDATION_FAILED and a message that says what to fix", () => {
    const r = text().max(5).safeParse(`a${NUL}`);
    expect(r.success).toBe(false);
    if (r.success) return;
    const err = validationError(r.error);
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.status).toBe(400);
    expect(err.message).toContain(UNSTORABLE_TEXT_MESSAGE);
  });
});

describe("the schemas of routes and actions", () => {
  const cases: [string, () => { success: boolean }][] = [
    [
      "chat message",
      () =>
        chatRequestSchema(1000).safeParse({
          id: "chat-0001",
          message: { id: "message-0001", text: `hi${NUL}` },
          provider: "openai",
          model: PROVIDERS.openai.defaultModel ?? "",
        }),
    ],
    ["rename", () => renameSchema.safeParse({ title: `t${LONE_HIGH}` })],
    ["search", () => listQuerySchema.safeParse({ q: NUL })],
    ["key label", () => saveKeySchema.safeParse({ apiKey: "sk-abcdefgh", label: `a${LONE_LOW}` })],
    ["key base URL", () => saveKeySchema.safeParse({ apiKey: "sk-abcdefgh", baseUrl: `http://x${NUL}` })],
    ["sign-up name", () => signUpSchema.safeParse({ email: "a@b.co", password: "x".repeat(20), name: NUL })],
    ["email", () => signUpSchema.safeParse({ email: `a${NUL}@b.co`, password: "x".repeat(20) })],
  ];
  it.each(cases)("%s refuses unstorable text", (_name, run) => {
    expect(run().success).toBe(false);
  });

  it("a chat message keeps pasted terminal escape codes", () => {
    const r = chatRequestSchema(1000).safeParse({
      id: "chat-0001",
      message: { id: "message-0001", text: "\u001b[1mbold\u001b[0m" },
      provider: "openai",
      model: PROVIDERS.openai.defaultModel ?? "",
    });
    expect(r.success).toBe(true);
  });
});

// "Every text field" without a list to keep: a z.string() under app/ or lib/ would accept NUL.
describe("no text field bypasses text()", () => {
  const ALLOWED = new Set(["lib/text.ts", "lib/env.ts"]);
  function* sources(dir: string): Generator<string> {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* sources(full);
      else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) yield full;
    }
  }
  it("app/ and lib/ build text fields with text(), not z.string()", () => {
    const offenders: string[] = [];
    for (const top of ["app", "lib"]) {
      for (const file of sources(path.join(repoRoot, top))) {
        const rel = path.relative(repoRoot, file).split(path.sep).join("/");
        if (ALLOWED.has(rel)) continue;
        // A format piped after text() sees only input text() already passed.
        const src = readFileSync(file, "utf8").replace(/\.pipe\(\s*z\.email\(/g, "");
        if (
          /\bz\s*\.\s*(string|email|url|uuid|cuid2?|ulid|nanoid|base64|hex|coerce\s*\.\s*string)\s*\(/.test(
            src,
          )
        )
          offenders.push(rel);
      }
    }
    expect(offenders).toEqual([]);
  });
});
