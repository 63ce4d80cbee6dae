import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { apiRoute, checkMutatingRequest, isSameOrigin, parseJson } from "@/lib/http";
import { log } from "@/lib/log";

const ORIGIN = "http://app.test:3000";

function req(method: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  return new Request(`${ORIGIN}/api/thing`, { method, headers: init.headers, body: init.body });
}

// The app's configured origin (env().appOrigin) for the whole file; env() is parsed once, so reset it.
beforeAll(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  delete (globalThis as { __byokEnv?: unknown }).__byokEnv;
});
afterAll(() => {
  vi.unstubAllEnvs();
  delete (globalThis as { __byokEnv?: unknown }).__byokEnv;
});

const ok = apiRoute(async () => ({ hello: "world" }));

/** Everything the logger writes meanwhile (it writes through console). */
function captureConsole() {
  const lines: string[] = [];
  const spies = (["log", "warn", "error"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(" "))),
  );
  return {
    lines,
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

async function json(res: Response) {
  return { status: res.status, body: await res.json(), cache: res.headers.get("cache-control") };
}

describe("same-origin check (lib/csrf.ts's rule against AUTH_URL)", () => {
  it("accepts Sec-Fetch-Site: same-origin without Origin, and the configured Origin", () => {
    expect(isSameOrigin(req("POST", { headers: { "sec-fetch-site": "same-origin" } }))).toBe(true);
    expect(isSameOrigin(req("POST", { headers: { origin: ORIGIN } }))).toBe(true);
  });
  it("refuses cross-site and same-site fetches even with a matching Origin", () => {
    for (const site of ["cross-site", "same-site", "none"]) {
      expect(isSameOrigin(req("POST", { headers: { "sec-fetch-site": site, origin: ORIGIN } }))).toBe(false);
    }
  });
  it("refuses another Origin even with Sec-Fetch-Site: same-origin, a null or a missing one", () => {
    const same = { "sec-fetch-site": "same-origin" };
    expect(isSameOrigin(req("POST", { headers: { ...same, origin: "http://evil.test" } }))).toBe(false);
    expect(isSameOrigin(req("POST", { headers: { origin: "http://app.test:3001" } }))).toBe(false);
    expect(isSameOrigin(req("POST", { headers: { origin: "null" } }))).toBe(false);
    expect(isSameOrigin(req("POST"))).toBe(false);
  });
  it("neither trusts the request's own Host, localhost, nor X-Forwarded-Host", () => {
    const at = (url: string, headers: Record<string, string>) =>
      isSameOrigin(new Request(url, { method: "POST", headers }));
    expect(at("http://localhost:3000/api/x", { origin: "http://localhost:3000" })).toBe(false);
    expect(
      at("http://127.0.0.1:3000/api/x", {
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        origin: "https://evil.example",
      }),
    ).toBe(false);
    expect(at("http://evil.example/api/x", { host: "evil.example", origin: "http://evil.example" })).toBe(
      false,
    );
  });
});

describe("mutating request checks", () => {
  const same = { origin: ORIGIN };
  it("requires JSON when a body is sent", () => {
    expect(() =>
      checkMutatingRequest(req("POST", { headers: { ...same, "content-type": "text/plain" }, body: "x" })),
    ).toThrow(expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE", status: 415 }));
    expect(() =>
      checkMutatingRequest(
        req("POST", { headers: { ...same, "content-type": "application/json; charset=utf-8" }, body: "{}" }),
      ),
    ).not.toThrow();
  });
  it("allows a body-less DELETE without a content type", () => {
    expect(() => checkMutatingRequest(req("DELETE", { headers: same }))).not.toThrow();
  });
  it("refuses cross-origin before looking at the body", () => {
    expect(() =>
      checkMutatingRequest(
        req("POST", { headers: { origin: "http://evil.test", "content-type": "text/plain" }, body: "x" }),
      ),
    ).toThrow(expect.objectContaining({ code: "FORBIDDEN", status: 403 }));
  });
  it("apiRoute applies the checks to POST but not GET", async () => {
    expect((await json(await ok(req("POST", { headers: { origin: "http://evil.test" } }), {}))).status).toBe(
      403,
    );
    expect(await json(await ok(req("GET"), {}))).toEqual({
      status: 200,
      body: { hello: "world" },
      cache: "no-store",
    });
    const form = await ok(
      req("PUT", { headers: { ...same, "content-type": "application/x-www-form-urlencoded" }, body: "a=1" }),
      {},
    );
    expect(await json(form)).toMatchObject({ status: 415, body: { code: "UNSUPPORTED_MEDIA_TYPE" } });
  });
  it("mutating:false opts a handler out; mutating:true opts a GET in", async () => {
    const loose = apiRoute(async () => ({ ok: true }), { mutating: false });
    expect((await loose(req("POST"), {})).status).toBe(200);
    const strict = apiRoute(async () => ({ ok: true }), { mutating: true });
    expect((await strict(req("GET"), {})).status).toBe(403);
  });
});

describe("error mapping", () => {
  it("maps AppError to its status and JSON, with Retry-After", async () => {
    const h = apiRoute(async () => {
      throw new AppError("RATE_LIMITED", undefined, { retryAfter: 12 });
    });
    const res = await h(req("GET"), {});
    expect(res.headers.get("retry-after")).toBe("12");
    expect(await json(res)).toEqual({
      status: 429,
      body: {
        code: "RATE_LIMITED",
        message: expect.any(String),
        retryAfter: 12,
        requestId: expect.any(String),
      },
      cache: "no-store",
    });
  });
  it("maps a ZodError to 400 VALIDATION_FAILED with issues", async () => {
    const h = apiRoute(async () => z.object({ n: z.number("A number, please.") }).parse({ n: "x" }));
    const res = await h(req("GET"), {});
    const { status, body } = await json(res);
    expect(status).toBe(400);
    expect(body).toEqual({
      code: "VALIDATION_FAILED",
      message: "A number, please.",
      issues: [{ path: "n", message: "A number, please." }],
      requestId: res.headers.get("x-request-id"),
    });
  });
  it("maps anything else to 500 INTERNAL without leaking the message", async () => {
    const { lines, restore } = captureConsole();
    try {
      const h = apiRoute(async () => {
        throw new Error("connect postgres://admin:hunter2@db sk-secret");
      });
      const res = await h(req("GET"), {});
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text).code).toBe("INTERNAL");
      expect(text).not.toContain("hunter2");
      expect(lines.join("\n")).not.toMatch(/hunter2|sk-secret|connect/);
      expect(lines.map((l) => JSON.parse(l))).toEqual([
        expect.objectContaining({ level: "error", event: "api.unhandled", path: "/api/thing" }),
      ]);
    } finally {
      restore();
    }
  });

  it("passes a handler's own Response through, adding no-store", async () => {
    const h = apiRoute(async () => Response.redirect(`${ORIGIN}/elsewhere`, 303));
    const res = await h(req("GET"), {});
    expect(res.status).toBe(303);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
  it("keeps a handler's no-transform (the chat stream), still no-store", async () => {
    const h = apiRoute(
      async () => new Response("x", { headers: { "cache-control": "no-cache, no-transform" } }),
    );
    expect((await h(req("GET"), {})).headers.get("cache-control")).toBe("no-store, no-transform");
  });
});

describe("parseJson", () => {
  const schema = z.object({ name: z.string().min(1) });
  const post = (body: string) => req("POST", { headers: { "content-type": "application/json" }, body });

  it("returns the parsed body", async () => {
    await expect(parseJson(post('{"name":"a"}'), schema)).resolves.toEqual({ name: "a" });
  });
  it("refuses unknown fields", async () => {
    await expect(parseJson(post('{"name":"a","admin":true}'), schema)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      status: 400,
    });
  });
  it("refuses malformed JSON and schema violations with 400", async () => {
    await expect(parseJson(post("{nope"), schema)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(parseJson(post('{"name":""}'), schema)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: "name", message: expect.any(String) }],
    });
  });
  it("refuses a body over the size limit with 413", async () => {
    await expect(
      parseJson(post(`{"name":"${"a".repeat(200)}"}`), schema, { maxBytes: 100 }),
    ).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
    });
  });
  it("counts a chunked body (no Content-Length) while reading it: an endless upload is cut at the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(`"${"a".repeat(1022)}",`));
      },
    });
    const chunked = new Request(`${ORIGIN}/api/x`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect(chunked.headers.get("content-length")).toBeNull();
    await expect(parseJson(chunked, schema, { maxBytes: 64 * 1024 })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
    });
    // It stopped near the limit instead of reading on (the stream never ends by itself).
    expect(pulled).toBeLessThan(200);
  });
  it("a chunked body under the limit is read whole, multi-byte characters split across chunks included", async () => {
    const bytes = new TextEncoder().encode('{"name":"héllo 😀"}');
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(Uint8Array.of(b));
        controller.close();
      },
    });
    const chunked = new Request(`${ORIGIN}/api/x`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: split,
      duplex: "half",
    } as RequestInit);
    await expect(parseJson(chunked, schema)).resolves.toEqual({ name: "héllo 😀" });
  });
  it("through apiRoute, a bad body is a 400 response, never a 500", async () => {
    const h = apiRoute(async (r) => parseJson(r, schema));
    const res = await h(
      req("POST", { headers: { origin: ORIGIN, "content-type": "application/json" }, body: "[1" }),
      {},
    );
    expect(res.status).toBe(400);
  });
});

describe("database races", () => {
  // What Prisma throws when a row another request just deleted or created is met.
  const prismaError = (code: string) =>
    Object.assign(new Error("Invalid `prisma.providerKey.delete()` invocation: secret input"), {
      name: "PrismaClientKnownRequestError",
      code,
    });
  it.each([
    ["P2025", 404, "NOT_FOUND"],
    ["P2002", 409, "CONFLICT"],
    ["P2034", 409, "CONFLICT"],
  ])("%s answers %i %s, not 500, and echoes nothing of the error", async (code, status, appCode) => {
    const h = apiRoute(async () => {
      throw prismaError(code);
    });
    const res = await h(req("GET"), undefined);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: appCode });
    expect(text).not.toContain("secret input");
  });
});

describe("database outage", () => {
  it("answers 503 DATABASE_UNAVAILABLE with Retry-After and no detail of the connection", async () => {
    const failing = apiRoute(async () => {
      throw Object.assign(new Error("Can't reach database server at `10.0.0.5:5432`"), { code: "P1001" });
    });
    const res = await failing(req("GET"), undefined);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    expect(text).not.toContain("10.0.0.5");
  });
});

describe("request ids", () => {
  it("an error body carries the request id that is on every log line of that request", async () => {
    const { lines, restore } = captureConsole();
    try {
      const h = apiRoute(async () => {
        log.info("thing.started", { step: 1 });
        await new Promise((r) => setTimeout(r, 1));
        throw new TypeError("boom");
      });
      const [a, b] = await Promise.all([h(req("GET"), {}), h(req("GET"), {})]);
      const bodies = [await a.json(), await b.json()];
      const ids = bodies.map((x) => x.requestId as string);
      expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(ids[0]).not.toBe(ids[1]);
      expect(a.headers.get("x-request-id")).toBe(ids[0]);
      const logged = lines.map((l) => JSON.parse(l) as { event: string; requestId?: string });
      for (const id of ids) {
        // Each request's two lines (its own info and the unhandled error) carry its id, and no other's.
        expect(logged.filter((l) => l.requestId === id).map((l) => l.event)).toEqual([
          "thing.started",
          "api.unhandled",
        ]);
      }
      expect(logged).toHaveLength(4);
    } finally {
      restore();
    }
  });
  it("keeps a well-formed incoming X-Request-Id and replaces anything else", async () => {
    const h = apiRoute(async () => {
      throw new AppError("NOT_FOUND");
    });
    const given = await h(req("GET", { headers: { "x-request-id": "lb-7f3a9c2e11" } }), {});
    expect((await given.json()).requestId).toBe("lb-7f3a9c2e11");
    const forged = await h(req("GET", { headers: { "x-request-id": 'x" level=info forged' } }), {});
    expect((await forged.json()).requestId).toMatch(/^[0-9a-f-]{36}$/);
    const ok200 = await ok(req("GET", { headers: { "x-request-id": "lb-7f3a9c2e11" } }), {});
    expect(ok200.headers.get("x-request-id")).toBe("lb-7f3a9c2e11");
  });
});
