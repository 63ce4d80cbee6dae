import { parseOptions } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

describe("password hashing", () => {
  it("uses Argon2id at the OWASP parameters", async () => {
    const h = await hashPassword("correct horse battery staple");
    expect(h.startsWith("$argon2id$")).toBe(true);
    const p = parseOptions(h);
    expect([p.memoryCost, p.timeCost, p.parallelism]).toEqual([19456, 2, 1]);
  });

  it("verifies the right password only, with a fresh salt per hash", async () => {
    const a = await hashPassword("s3cret-password");
    const b = await hashPassword("s3cret-password");
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "s3cret-password")).toBe(true);
    expect(await verifyPassword(a, "s3cret-passwore")).toBe(false);
    expect(await verifyPassword(a, "")).toBe(false);
  });

  it("fails (without throwing) for a missing or malformed stored hash", async () => {
    expect(await verifyPassword(null, "anything")).toBe(false);
    expect(await verifyPassword(undefined, "anything")).toBe(false);
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });
});
