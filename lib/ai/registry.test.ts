import { describe, expect, it } from "vitest";
import { checkKeyFormat, isKnownModel, isProviderId, PROVIDER_IDS, PROVIDERS } from "./registry";

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
});
