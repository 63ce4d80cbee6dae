import { describe, expect, it } from "vitest";
import { safeCallbackPath, signInPath } from "@/lib/auth/paths";

describe("safeCallbackPath", () => {
  it("keeps same-site paths with query and hash", () => {
    expect(safeCallbackPath("/settings/ai")).toBe("/settings/ai");
    expect(safeCallbackPath("/chat/abc?x=1#m")).toBe("/chat/abc?x=1#m");
  });
  it("sends anything off-site, odd or circular to /chat", () => {
    for (const bad of [
      "https://evil.test/",
      "//evil.test",
      "/\\evil.test",
      "/\t/evil.test",
      "javascript:alert(1)",
      "chat",
      "",
      undefined,
      ["/chat"],
      "/sign-in",
      "/sign-up?x=1",
      `/${"a".repeat(3000)}`,
    ]) {
      expect(safeCallbackPath(bad), String(bad)).toBe("/chat");
    }
  });
});

describe("signInPath", () => {
  it("carries the return path", () => {
    expect(signInPath("/settings/ai")).toBe("/sign-in?callbackUrl=%2Fsettings%2Fai");
    expect(signInPath("https://evil.test")).toBe("/sign-in?callbackUrl=%2Fchat");
    expect(signInPath()).toBe("/sign-in");
  });
});
