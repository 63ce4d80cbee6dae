import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { seeded } from "@/test/seeded";
import { createLogger, isSensitiveKey, log, redact, redactString } from "./log";
import { newToken } from "./tokens";

function capture() {
  const lines: { level: string; line: string }[] = [];
  const logger = createLogger((level, line) => lines.push({ level, line }));
  const last = () => JSON.parse(lines.at(-1)?.line ?? "null") as Record<string, unknown>;
  return { logger, lines, last };
}

const OPENAI = "sk-proj-Xb3kT9mQ2wL8vN4pR7sY1zA6cE0fH5jK2mP9qW3xZ7vB";
const OPENAI_LEGACY = "sk-4fGh7Jk2Lm9Np3Qr6St8Uv1Wx5Yz0AbCdEf";
const GROQ = "gsk_Qw8Er5Ty2Ui9Op3As6Df1Gh4Jk7Lz0Xc";
const GOOGLE = "AIzaSyD3f8Kq2Lm7Np4Qr9St1Uv6Wx0Yz5AbCd";
const ALL = [OPENAI, OPENAI_LEGACY, GROQ, GOOGLE];

describe("redactString", () => {
  it("masks provider-key-shaped substrings anywhere, keeping at most the last 4", () => {
    for (const key of ALL) {
      const out = redactString(`upstream said: invalid key ${key}, please retry`);
      expect(out).not.toContain(key.slice(0, -4));
      expect(out).toContain(`[REDACTED…${key.slice(-4)}]`);
      expect(out).toMatch(/^upstream said: invalid key \[REDACTED…....\], please retry$/);
    }
  });

  it("masks half-starred keys echoed by providers, bearer tokens and key=value pairs", () => {
    const starred = "Incorrect API key provided: sk-proj-********************************************x7vB.";
    expect(redactString(starred)).not.toMatch(/sk-proj-\*/);
    expect(redactString(`Authorization: Bearer ${GROQ}`)).toBe(
      `Authorization: Bearer [REDACTED…${GROQ.slice(-4)}]`,
    );
    expect(redactString("Bearer abc.def.ghi")).toBe("Bearer [REDACTED]");
    const url = "https://generativelanguage.googleapis.com/v1beta/models?key=ZZtopSecretValue123&alt=sse";
    expect(redactString(url)).not.toContain("ZZtopSecretValue123".slice(0, -4));
    expect(redactString(url)).toContain("&alt=sse");
    expect(redactString('{"api_key": "plainsecretvalue99"}')).not.toContain("plainsecretvalue");
    expect(redactString("x-goog-api-key: 123456789abcdefgh")).not.toContain("123456789abcd");
  });

  it("masks our own envelopes and long high-entropy tokens but keeps ordinary text", () => {
    const envelope = "v1.k1.oKGio6Slpqeoqaqr.tMWfo8_p-7_EXFuTChiMYQ";
    expect(redactString(`stored ${envelope}`)).toBe("stored [REDACTED envelope]");
    const jwtish = "eyJhbGciOiJIUzI1NiJ9aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW";
    expect(redactString(`token ${jwtish}`)).toBe(`token [REDACTED…${jwtish.slice(-4)}]`);
    const plain = [
      "user cm3abc123def456ghi789jkl signed in",
      "/work/main/node_modules/next/dist/server/lib/router-server.js",
      "model gpt-4o-mini finished in 1234 ms with 56 tokens",
      "The quick brown fox jumps over the lazy dog",
      "POST /api/chat 200",
      "monkey=banana",
      "the task-force-manager-edition shipped",
    ];
    for (const p of plain) expect(redactString(p)).toBe(p);
  });

  it("never lets a random provider-shaped key through (seeded)", () => {
    const rnd = seeded(77);
    const body = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (let i = 0; i < 1000; i++) {
      const key =
        rnd.pick(["sk-", "sk-proj-", "gsk_", "AIza", "sk-ant-api03-"]) + rnd.string(20, 100, `${body}-_`);
      const text = `${rnd.string(0, 20, "abc :,(\"'=")}${key}${rnd.pick(["", " ", ".", '"', ",", ")", "\n"])}`;
      const out = redactString(text);
      // Nothing of the key's secret body beyond the last 4 characters survives.
      const secret = key.slice(0, -4).replace(/^(sk-proj-|sk-ant-api03-|sk-|gsk_|AIza)/, "");
      for (let j = 0; j + 8 <= secret.length; j++) expect(out).not.toContain(secret.slice(j, j + 8));
    }
  });
});

describe("redactString: our API tokens", () => {
  it("masks byok_ tokens made by newToken(), alone, glued to text and in headers", () => {
    for (let i = 0; i < 200; i++) {
      const token = `byok_${newToken().token}`;
      for (const text of [
        token,
        `token=${token}`,
        `auth:Bearer ${token}`,
        `x${token}.`,
        `{"t":"${token}"}`,
      ]) {
        const out = redactString(text);
        const secret = token.slice(5, -4);
        for (let j = 0; j + 8 <= secret.length; j++) expect(out).not.toContain(secret.slice(j, j + 8));
      }
    }
    expect(redactString("the byok_chat data dir")).toBe("the byok_chat data dir");
  });
});

describe("redact (structured fields)", () => {
  it("redacts values under sensitive keys, at any depth and in arrays", () => {
    const out = redact({
      apiKey: "anything",
      nested: {
        Authorization: "Basic dXNlcjpwYXNz",
        password: "hunter2",
        client_secret: "s",
        list: [{ key: 1 }],
      },
      ciphertext: "v1.k1.x.y",
      prefix: "sk-",
      last4: "AbCd",
      inputTokens: 12,
      keySource: "user",
    });
    expect(out).toEqual({
      apiKey: "[REDACTED]",
      nested: {
        Authorization: "[REDACTED]",
        password: "[REDACTED]",
        client_secret: "[REDACTED]",
        list: [{ key: "[REDACTED]" }],
      },
      ciphertext: "[REDACTED]",
      prefix: "sk-",
      last4: "AbCd",
      inputTokens: 12,
      keySource: "user",
    });
    for (const k of ["x-api-key", "OPENAI_API_KEY", "AUTH_SECRET", "set-cookie", "passwordHash"]) {
      expect(isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ["keySource", "provider", "tokens", "monkey", "last4"])
      expect(isSensitiveKey(k), k).toBe(false);
  });

  it("handles cycles, Headers, Maps, binary, dates and bigints", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const h = new Headers({ authorization: `Bearer ${OPENAI}`, "content-type": "application/json" });
    expect(
      redact({ a, h, m: new Map([["token", "t"]]), b: new Uint8Array(3), d: new Date(0), n: 10n }),
    ).toEqual({
      a: { name: "a", self: "[Circular]" },
      h: { authorization: "[REDACTED]", "content-type": "application/json" },
      m: { token: "[REDACTED]" },
      b: "[binary 3 bytes]",
      d: "1970-01-01T00:00:00.000Z",
      n: "10",
    });
  });

  it("logs provider errors by name/code/status only, never their message or body", () => {
    class APICallError extends Error {
      statusCode = 401;
      responseBody = `{"error":{"message":"Incorrect API key provided: ${OPENAI}"}}`;
      requestBodyValues = { messages: [{ role: "user", content: "my private question" }] };
      constructor() {
        super("Incorrect API key provided: sk-proj-Xb3k****x7vB (echo z9z9z9)");
        this.name = "AI_APICallError";
      }
    }
    const text = JSON.stringify(redact({ error: new APICallError() }));
    expect(text).toContain('"name":"AI_APICallError"');
    expect(text).toContain('"statusCode":"401"');
    for (const leak of ["Incorrect", "z9z9z9", "Xb3k", "private question", "responseBody"])
      expect(text).not.toContain(leak);
  });

  it("keeps our own error messages, redacted, with code, status, stack frames and cause", () => {
    const err = new AppError("INVALID_API_KEY", undefined, { status: 401 });
    const out = redact(new Error(`wrapping ${GROQ}`, { cause: err })) as Record<string, unknown>;
    expect(out.name).toBe("Error");
    expect(out.message).toBe(`wrapping [REDACTED…${GROQ.slice(-4)}]`);
    expect(Array.isArray(out.stack)).toBe(true);
    expect(out.cause).toMatchObject({ name: "AppError", code: "INVALID_API_KEY", status: "401" });
  });
});

describe("logger", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes one JSON line per call with level, event and redacted fields", () => {
    const { logger, lines, last } = capture();
    logger.info("key.saved", { userId: "u1", provider: "openai", apiKey: OPENAI, note: `got ${GOOGLE}` });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.line).not.toContain("\n");
    expect(last()).toMatchObject({ level: "info", event: "key.saved", userId: "u1", apiKey: "[REDACTED]" });
    expect(last().note).toBe(`got [REDACTED…${GOOGLE.slice(-4)}]`);
    logger.warn("w");
    expect(lines.at(-1)?.level).toBe("warn");
    logger.error("e", { level: "forged", event: "forged" });
    expect(last()).toMatchObject({ level: "error", event: "e" });
  });

  it("default logger sends info to stdout and warn/error to stderr, never raw keys", () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, "warn").mockImplementation((s: string) => void err.push(s));
    vi.spyOn(console, "error").mockImplementation((s: string) => void err.push(s));
    log.info("a", { header: `Bearer ${OPENAI}` });
    log.warn("b");
    log.error("c", { error: new Error(`boom ${OPENAI_LEGACY}`) });
    expect(out).toHaveLength(1);
    expect(err).toHaveLength(2);
    for (const line of [...out, ...err]) {
      for (const key of ALL) expect(line).not.toContain(key.slice(0, -4));
    }
  });

  it("never throws, even when the sink does", () => {
    const logger = createLogger(() => {
      throw new Error("disk full");
    });
    expect(() => logger.error("x", { a: 1 })).not.toThrow();
  });
});
