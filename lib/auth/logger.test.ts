import { CredentialsSignin } from "@auth/core/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authConfig } from "@/auth.config";

// next-auth hands its logger errors whose message can quote the request. A crafted sign-in body
// (newlines to forge a log line, a password in it) must not reach the log verbatim.

const PASSWORD = "hunter2-Corr3ct-Horse";

function capture() {
  const lines: string[] = [];
  for (const m of ["log", "warn", "error"] as const)
    vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  return lines;
}

afterEach(() => vi.restoreAllMocks());

/** An auth error shaped like next-auth's: a type, and a message that quotes the client's input. */
function authError(type: string, quoted: string): Error {
  const e = new Error(`Read more at https://errors.authjs.dev#${type.toLowerCase()}. Input: ${quoted}`);
  e.name = type;
  Object.assign(e, { type });
  return e;
}

describe("the next-auth logger", () => {
  it("writes one JSON line with the error type only: no forged line, no password", () => {
    const lines = capture();
    const forged = `x\n{"level":"info","event":"admin.granted","user":"mallory"}\r\npassword=${PASSWORD}`;
    authConfig.logger.error(authError("CallbackRouteError", forged));
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(line.split("\n")).toHaveLength(1);
    expect(line).not.toContain(PASSWORD);
    expect(line).not.toContain("hunter2");
    expect(line).not.toContain("admin.granted");
    expect(line).not.toContain("mallory");
    expect(JSON.parse(line)).toMatchObject({
      level: "error",
      event: "auth.error",
      type: "CallbackRouteError",
    });
  });

  it("a crafted type or name cannot smuggle input either", () => {
    const lines = capture();
    const e = authError("CallbackRouteError", "");
    e.name = `Evil\n{"event":"forged"} password=${PASSWORD}`;
    authConfig.logger.error(e);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.split("\n")).toHaveLength(1);
    expect(lines[0]).not.toContain(PASSWORD);
    expect(JSON.parse(lines[0] as string).event).toBe("auth.error");
  });

  it("a failed password is routine: nothing is logged", () => {
    const lines = capture();
    authConfig.logger.error(new CredentialsSignin(`wrong password ${PASSWORD}`));
    expect(lines).toEqual([]);
  });
});
