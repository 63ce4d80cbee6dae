import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, invalidField, validationError } from "./errors";

// The one mapping from a zod failure to the error contract (routes, actions and lib share it).

describe("validationError", () => {
  it("maps a ZodError to VALIDATION_FAILED (400) with every field's problem, the first as message", () => {
    const schema = z.object({
      name: z.string().min(1, "Enter a name."),
      limits: z.object({ perDay: z.number().int("Whole numbers only.") }),
    });
    const parsed = schema.safeParse({ name: "", limits: { perDay: 1.5 } });
    if (parsed.success) throw new Error("expected a failure");
    const err = validationError(parsed.error);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.status).toBe(400);
    expect(err.message).toBe("Enter a name.");
    expect(err.issues).toEqual([
      { path: "name", message: "Enter a name." },
      { path: "limits.perDay", message: "Whole numbers only." },
    ]);
    expect(err.toJSON()).toEqual({ code: "VALIDATION_FAILED", message: "Enter a name.", issues: err.issues });
  });

  it("one field's rule checked after the schema has the same shape", () => {
    const err = invalidField("baseUrl", "Use https.");
    expect(err).toMatchObject({ code: "VALIDATION_FAILED", status: 400, message: "Use https." });
    expect(err.issues).toEqual([{ path: "baseUrl", message: "Use https." }]);
  });
});
