import { describe, expect, it } from "vitest";
import {
  checkKeyFormat,
  isKnownModel,
  isProviderId,
  maxOutputCap,
  PROVIDER_IDS,
  PROVIDERS,
  UNLISTED_MAX_OUTPUT_TOKENS,
} from "./registry";

describe("registry", () => {
  it("has one complete entry per provider id", () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual([...PROVIDER_IDS].sort());
    for (const id of PROVIDER_IDS) {
      const p = PROVIDERS[id];
      expect(p.id).toBe(id);
      expect(p.guide.steps.length).toBeGreaterThanOrEqual(2);
      expect(p.guide.steps.length).toBeLessThanOrEqual(4);
      expect(p.guide.keyUrl).toMatch(/^https:\/\//);
      expect(p.guide.billingUrl).toMatch(/^https:\/\//);
      if (p.defaultModel) expect(p.models.map((m) => m.id)).toContain(p.defaultModel);
      expect(p.requiresBaseUrl).toBe(id === "compatible");
      expect(p.systemKeyEnv === null).toBe(id === "compatible");
      expect(p.temperature).toEqual({ min: 0, max: 2 });
      for (const m of p.models) expect(m.maxOutputTokens, m.id).toBeGreaterThanOrEqual(4096);
    }
  });

  it("checks key shapes loosely, and catches a key pasted into the wrong provider", () => {
    expect(checkKeyFormat("openai", "sk-proj-abcDEF123_456-789xyz")).toBeNull();
    expect(checkKeyFormat("groq", "gsk_abcdefghijklmnopqrstuv")).toBeNull();
    expect(checkKeyFormat("google", "AIzaSyA-abcdefghijklmnopqrstuvwxyz0")).toBeNull();
    expect(checkKeyFormat("compatible", "ollama")).toBeNull();
    expect(checkKeyFormat("openai", "gsk_abcdefghijklmnopqrstuv")).toMatch(/sk-/);
    expect(checkKeyFormat("google", "sk-proj-abcDEF123456789")).toMatch(/AIza/);
    expect(checkKeyFormat("compatible", "has space")).not.toBeNull();
  });

  it("knows provider ids and models", () => {
    expect(isProviderId("groq")).toBe(true);
    expect(isProviderId("anthropic")).toBe(false);
    expect(isKnownModel("openai", "gpt-5-mini")).toBe(true);
    expect(isKnownModel("openai", "llama-3.3-70b-versatile")).toBe(false);
    expect(isKnownModel("compatible", "meta-llama/Llama-3.3-70B-Instruct:free")).toBe(true);
    expect(isKnownModel("compatible", "bad id with spaces")).toBe(false);
  });

  it("caps max output by the model's documented limit", () => {
    expect(maxOutputCap("openai", "gpt-4o-mini")).toBe(16_384);
    expect(maxOutputCap("groq", "meta-llama/llama-4-scout-17b-16e-instruct")).toBe(8_192);
    expect(maxOutputCap("google", "gemini-2.5-pro")).toBe(65_536);
    expect(maxOutputCap("compatible", "anything")).toBe(UNLISTED_MAX_OUTPUT_TOKENS);
  });
});
