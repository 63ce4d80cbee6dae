import { describe, expect, it } from "vitest";
import { passwordProblem } from "@/lib/auth/password-policy";

const who = { email: "Ann.Lee@Example.test", name: "Ann Lee" };

describe("passwordProblem", () => {
  it("refuses short, blank and common passwords", () => {
    expect(passwordProblem("short", who)).toBe("Use at least 8 characters.");
    expect(passwordProblem("        ", who)).toBe("A password cannot be only spaces.");
    for (const p of ["password", "12345678", "qwertyuiop", "P@ssw0rd!", "iloveyou12", "summer2024"]) {
      expect(passwordProblem(p, who), p).toMatch(/too common or easy to guess/);
    }
  });

  it("refuses the email, its local part or the name, in any case", () => {
    for (const p of [
      "ann.lee@example.test",
      "ANN.LEE@EXAMPLE.TEST",
      "ann.lee-xk2!q9",
      "my name is Ann Lee!",
    ]) {
      expect(passwordProblem(p, who), p).toBe("Your password must not contain your email address or name.");
    }
  });

  it("accepts a long passphrase", () => {
    expect(passwordProblem("correct horse battery staple", who)).toBeNull();
    expect(passwordProblem("a long password", { email: "bob@example.test" })).toBeNull();
  });
});
