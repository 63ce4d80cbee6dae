import { describe, expect, it } from "vitest";
import { seeded } from "@/test/seeded";
import { maskKey } from "./mask";

describe("maskKey", () => {
  it("keeps the documented prefix and the last 4 characters", () => {
    expect(maskKey("gsk_abcdefghijklmnopqrstuvwxyz0123x9Qa", "groq")).toEqual({
      prefix: "gsk_",
      last4: "x9Qa",
      preview: "gsk_…x9Qa",
    });
    expect(maskKey("sk-abcdefghijklmnopqrstuvwxyzAbCd", "openai").preview).toBe("sk-…AbCd");
    expect(maskKey("sk-proj-abcdefghijklmnopqrstuvwxyzAbCd", "openai").preview).toBe("sk-proj-…AbCd");
    expect(maskKey("AIzaSyabcdefghijklmnopqrstuvwxyz019xQz", "google").preview).toBe("AIza…9xQz");
    expect(maskKey("  sk-proj-abcdefghijklmnopqrstuvwxyzAbCd\n").preview).toBe("sk-proj-…AbCd");
  });

  it("guesses the prefix when no provider is given, and ignores a foreign prefix otherwise", () => {
    expect(maskKey("gsk_abcdefghijklmnopqrstuvwxyz0123x9Qa").prefix).toBe("gsk_");
    expect(maskKey("AIzaSyabcdefghijklmnopqrstuvwxyz019xQz").prefix).toBe("AIza");
    expect(maskKey("gsk_abcdefghijklmnopqrstuvwxyz0123x9Qa", "openai")).toEqual({
      prefix: "",
      last4: "x9Qa",
      preview: "…x9Qa",
    });
    expect(maskKey("sk-proj-abcdefghijklmnopqrstuvwxyzAbCd", "unknown-provider").prefix).toBe("");
  });

  it("reveals nothing but the prefix for short keys", () => {
    expect(maskKey("sk-short", "openai")).toEqual({ prefix: "sk-", last4: "", preview: "sk-…" });
    expect(maskKey("abc")).toEqual({ prefix: "", last4: "", preview: "…" });
    expect(maskKey("")).toEqual({ prefix: "", last4: "", preview: "…" });
    expect(maskKey("sk-")).toEqual({ prefix: "", last4: "", preview: "…" });
    expect(maskKey(undefined as unknown as string).preview).toBe("…");
    expect(maskKey("gsk_12345678901", "groq").last4).toBe(""); // 11 secret chars: tail hidden
    expect(maskKey("gsk_123456789012", "groq").last4).toBe("9012");
  });

  it("never reveals more than a known prefix plus the last 4 characters (seeded)", () => {
    const rnd = seeded(2024);
    const alphabet = "abcdefXYZ0189-_./+= é🔑sk-gsk_AIza";
    for (let i = 0; i < 2000; i++) {
      const key = rnd.string(0, 80, alphabet);
      const provider = rnd.pick([undefined, "openai", "groq", "google", "other"]);
      const { prefix, last4, preview } = maskKey(key, provider);
      expect(["", "sk-", "sk-proj-", "sk-svcacct-", "sk-admin-", "gsk_", "AIza"]).toContain(prefix);
      expect(last4.length === 0 || last4.length === 4).toBe(true);
      expect(preview).toBe(`${prefix}…${last4}`);
      const trimmed = key.trim();
      expect(trimmed.startsWith(prefix)).toBe(true);
      if (last4) {
        expect(trimmed.endsWith(last4)).toBe(true);
        expect([...trimmed].length - prefix.length).toBeGreaterThanOrEqual(12);
      }
      // Everything between prefix and last4 stays hidden.
      const hidden = [...trimmed].length - prefix.length - last4.length;
      if (trimmed.length > 0 && (prefix || last4)) expect(hidden).toBeGreaterThan(0);
    }
  });
});
