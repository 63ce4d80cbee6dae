import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable";

// Shapes taken from real failures: Prisma 7 + adapter-pg against a closed port, and a pooled
// connection whose socket was destroyed (node-postgres' plain Error).
describe("isDatabaseUnavailable", () => {
  it("recognises an unreachable server through Prisma's code and the adapter's kind", () => {
    const refused = Object.assign(new Error("Invalid `prisma.user.findMany()` invocation"), {
      code: "P1001",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable" } } },
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(
      isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }),
    ).toBe(true);
    for (const code of ["P1017", "P2024"]) expect(isDatabaseUnavailable({ code })).toBe(true);
  });

  it("recognises dropped connections, socket errors and PostgreSQL's connection codes, also as a cause", () => {
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: { code: "57P01" } }))).toBe(true);
    expect(
      isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { originalCode: "08006" } } } }),
    ).toBe(true);
  });

  it("leaves bugs and data errors alone", () => {
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Connection terminated unexpectedly"))).toBe(false);
    for (const code of ["P2002", "P2025", "23505", "42P01"])
      expect(isDatabaseUnavailable({ code })).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
  });
});
