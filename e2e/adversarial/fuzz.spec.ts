import http from "node:http";
import fc from "fast-check";
import type { RouteHandler, Segment } from "../../test/manifest";
import { expect, test } from "../fixtures";
import {
  APP_ORIGIN,
  chatTurn,
  EVIL,
  logOffset,
  logSince,
  MOCK,
  manifest,
  person,
  saveKey,
  uid,
} from "./world";

// Property-based fuzz of every route handler of the manifest (a new route is fuzzed from its first
// commit), over raw HTTP against the production build: generated methods, path segments (random
// text, broken and overlong %-escapes), query strings, headers (session cookie or none, our Origin
// or another, JSON or not), and bodies (random JSON with NUL, lone surrogates and wrong types,
// valid bodies with one field replaced, non-JSON bytes, bodies over the limit with and without a
// Content-Length). The property: no response is a 5xx (503 DATABASE_UNAVAILABLE excepted, which
// this server never has), and no "api.unhandled" line lands in the server log.
//
// Its own user, signed up here, so nothing it deletes or renames is another spec's. It never
// reaches the network: provider base URLs point at the mock upstream (e2e/serve-app.mjs) and any
// generated string that looks like a URL is replaced by the mock's address before it is sent.
//
// Size: FULL_FUZZ=1 (the flag of the whole adversarial suite) sends ≥ 2,000 requests per route; by default ~60 per route.
// FUZZ_SEED=<n> replays a run (the seed is printed with any failure).

const FULL = process.env.FULL_FUZZ === "1";
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? (FULL ? 2000 : 60));
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = 4;
const url = new URL(APP_ORIGIN);

type FuzzRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: { bytes: Buffer; chunked: boolean };
};
type Result = { status: number; text: string } | { error: string };

// ---- values --------------------------------------------------------------------------------

/** Characters PostgreSQL or JSON choke on, and the ones we must keep (terminal escapes). */
const nasty = fc.constantFrom("\u0000", "\ud800", "\udfff", "\u001b[31m", "\u0007", "\ufeff", "😀", "\u2028");
const fuzzText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(nasty, fc.string({ maxLength: 6 })), { maxLength: 8 })
      .map((a) => a.join("")),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 300_000 }).map((n) => "x".repeat(n)) },
);
const fuzzValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fuzzText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fuzzText, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Never let a generated value send the server to a real host. */
function offline(v: unknown): unknown {
  if (typeof v === "string") return /^\s*[a-z][a-z0-9+.-]*:/i.test(v) && !v.startsWith(MOCK) ? MOCK : v;
  if (Array.isArray(v)) return v.map(offline);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, offline(x)]));
  return v;
}

// ---- paths ---------------------------------------------------------------------------------

const hex = fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, "0").toUpperCase()}`);
/** Pieces of a path segment as sent on the wire: encoded text, raw %XX bytes, broken escapes. */
const rawSegment = fc
  .array(
    fc.oneof(
      // Lone surrogates have no UTF-8 form to encode: their raw bytes come from the list below.
      fuzzText.map((s) => encodeURIComponent(s.slice(0, 60).toWellFormed())),
      fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.~!$&'()*+,;=:@"), maxLength: 12 }),
      hex,
      fc.constantFrom("%", "%Z", "%G1", "%E2%82", "%C0%AF", "%ED%A0%80", "%00", "%2F", "%25", "..", "."),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join("") || "x");

function segmentArb(seg: Segment, known: Record<string, string[]>): fc.Arbitrary<string[]> {
  if (seg.kind === "static") return fc.constant([seg.name]);
  const existing = known[seg.name] ?? [];
  const one = existing.length
    ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...existing) }, { weight: 3, arbitrary: rawSegment })
    : rawSegment;
  if (seg.kind === "dynamic") return one.map((s) => [s]);
  return fc.array(one, { minLength: seg.kind === "catch-all" ? 1 : 0, maxLength: 3 });
}

const queryArb = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom("q", "cursor", "limit", "before", "callbackUrl", "provider"), rawSegment),
      fc.oneof(rawSegment, fc.integer({ min: -5, max: 500 }).map(String), fc.constant("")),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));

// ---- bodies --------------------------------------------------------------------------------

/** A body each route would accept, so one replaced field reaches deeper than the parser. */
function validBody(route: RouteHandler, method: string, chatId: string): Record<string, unknown> | undefined {
  if (route.pattern === "/api/chat" || route.pattern === "/api/bench/canonical")
    return {
      id: chatId,
      message: { id: uid("fuzzmsg"), text: "fuzz hello" },
      provider: "openai",
      model: "gpt-5-mini",
    };
  if (route.pattern === "/api/chats/[id]" && method === "PATCH") return { title: "fuzz title" };
  if (route.pattern === "/api/keys/[provider]" && method === "PUT")
    return { apiKey: "sk-proj-fuzzOkKey1234abcd5678", baseUrl: `${MOCK}/compat/v1`, label: "Fuzz" };
  if (route.pattern === "/api/keys/[provider]" && method === "PATCH") return { enabled: true };
  if (route.pattern === "/api/keys/[provider]/test") return { apiKey: "sk-proj-fuzzOkKey1234abcd5678" };
  return undefined;
}

function mutate(body: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (v: unknown, at: string[]) => {
    if (v && typeof v === "object" && !Array.isArray(v))
      for (const [k, x] of Object.entries(v)) {
        paths.push([...at, k]);
        walk(x, [...at, k]);
      }
  };
  walk(body, []);
  return fc.tuple(fc.constantFrom(...paths), fuzzValue, fc.boolean()).map(([path, value, drop]) => {
    const copy = structuredClone(body);
    let node = copy as Record<string, unknown>;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const last = path.at(-1) as string;
    if (drop) delete node[last];
    else node[last] = value;
    return copy;
  });
}

type Body = { bytes: Buffer; chunked: boolean; contentType?: string } | undefined;

function bodyArb(route: RouteHandler, method: string, chatId: string): fc.Arbitrary<Body> {
  const json = (v: unknown) => Buffer.from(JSON.stringify(offline(v)) ?? "null");
  const valid = validBody(route, method, chatId);
  const options: fc.Arbitrary<Body>[] = [
    fc.constant(undefined),
    fuzzValue.map((v) => ({ bytes: json(v), chunked: false })),
    fc.string({ unit: "binary", maxLength: 200 }).map((s) => ({ bytes: Buffer.from(s), chunked: false })),
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ bytes: Buffer.from(b), chunked: false })),
    // Over every route's limit (1 MiB at most), sent with and without a Content-Length.
    fc.boolean().map((chunked) => ({ bytes: Buffer.alloc(1024 * 1024 + 1, 0x61), chunked })),
  ];
  if (valid) options.push(mutate(valid).map((v) => ({ bytes: json(v), chunked: false })));
  if (valid) options.push(fc.constant({ bytes: json(valid), chunked: true }));
  return fc.oneof(...options);
}

// ---- requests ------------------------------------------------------------------------------

function requestArb(
  route: RouteHandler,
  cookie: string,
  known: Record<string, string[]>,
  chatId: string,
): fc.Arbitrary<FuzzRequest> {
  const methods = [...route.methods, "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
  const path = fc
    .tuple(...route.segments.map((s) => segmentArb(s, known)))
    .map((parts) => `/${parts.flat().join("/")}`);
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...route.methods) },
        fc.constantFrom(...methods),
      ),
      path,
      query: queryArb,
      signedIn: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
      origin: fc.constantFrom(APP_ORIGIN, APP_ORIGIN, APP_ORIGIN, EVIL, "null", undefined),
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain;charset=UTF-8",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        undefined,
      ),
      accept: fc.constantFrom(undefined, "text/html", "text/x-component", "*/*"),
      // Header values as a client can send them: latin-1 without CR/LF.
      extra: fc.option(
        fc.string({
          unit: fc.integer({ min: 0x20, max: 0xfe }).map((c) => String.fromCharCode(c === 0x7f ? 0xff : c)),
          maxLength: 40,
        }),
      ),
    })
    .chain((r) =>
      bodyArb(route, r.method, chatId).map((body): FuzzRequest => {
        const headers: Record<string, string> = {};
        if (r.signedIn) headers.cookie = cookie;
        if (r.origin) headers.origin = r.origin;
        if (r.contentType && body) headers["content-type"] = r.contentType;
        if (r.accept) headers.accept = r.accept;
        if (r.extra !== null) headers["x-fuzz"] = r.extra;
        return {
          method: r.method,
          path: `${r.path}${r.query}`,
          headers,
          ...(body ? { body: { bytes: body.bytes, chunked: body.chunked } } : {}),
        };
      }),
    );
}

// One connection per request: a server that resets a connection after refusing an oversized
// upload must not make the next request on a reused socket look unanswered.
const agent = new http.Agent({ keepAlive: false, maxSockets: CONCURRENCY });

/** A body over every route's limit: the server may answer 413 and reset before the client reads it. */
const OVERSIZED = 1024 * 1024;

/**
 * 500s that come from a library route running none of our code, with their reproduction in the
 * README: next-auth's catch-all handler answers a POST with a 1 MiB body to its endpoints with
 * "There was a problem with the server configuration" (its own error page). Counted, reported.
 */
const KNOWN_LIBRARY_500 = (route: string, text: string) =>
  route === "/api/auth/[...nextauth]" && text.includes("problem with the server configuration");

/** One raw request (Node's client sends the path exactly as given); the first 2 KB of the answer. */
function send(req: FuzzRequest): Promise<Result> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Result) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const headers = { ...req.headers };
    if (req.body && !req.body.chunked) headers["content-length"] = String(req.body.bytes.length);
    let out: http.ClientRequest;
    try {
      out = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          headers,
          agent,
          timeout: 60_000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            if (text.length < 2048) text += c;
          });
          res.on("end", () => done({ status: res.statusCode ?? 0, text }));
          res.on("error", () => done({ status: res.statusCode ?? 0, text }));
        },
      );
    } catch (e) {
      // The client refused to send it (an invalid header): not a request the server ever saw.
      return done({ status: -1, text: String(e) });
    }
    out.on("timeout", () => out.destroy(new Error("timeout")));
    // The server may answer (413) and close before a big upload is written: the answer counts.
    out.on("error", (e) => done({ error: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}` }));
    if (req.body) out.write(req.body.bytes);
    out.end();
  });
}

/** The request as a curl command line, to reproduce a failure by hand. */
function curl(req: FuzzRequest): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ["curl -s -o /dev/null -w '%{http_code}\\n' --path-as-is", "-X", req.method];
  for (const [k, v] of Object.entries(req.headers))
    parts.push("-H", q(`${k}: ${k === "cookie" ? "<session>" : v}`));
  if (req.body) {
    if (req.body.chunked) parts.push("-H", q("transfer-encoding: chunked"));
    const b = req.body.bytes;
    parts.push(
      b.length > 500
        ? `--data-binary @<(head -c ${b.length} /dev/zero | tr '\\0' a)`
        : `--data-binary ${q(b.toString("latin1"))}`,
    );
  }
  parts.push(q(`${APP_ORIGIN}${req.path}`));
  return parts.join(" ");
}

async function pool<T>(items: T[], n: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

test("fuzz: every route handler answers generated requests without a 5xx", async ({ browser }) => {
  const routes = manifest.routes;
  test.setTimeout(FULL ? 3_600_000 : 240_000);
  expect(routes.length).toBeGreaterThan(0);

  const who = await person(browser);
  await saveKey(who, "openai", "sk-proj-fuzzOkKey1234abcd5678");
  await saveKey(who, "compatible", "sk-fuzzCompatOkKey1234abcd");
  const { chatId } = await chatTurn(who, "fuzz seed chat");
  const cookie = (await who.page.context().cookies())
    .filter((c) => url.hostname === c.domain || c.domain.endsWith(url.hostname))
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
  expect(cookie).toContain("authjs.session-token");
  const known = {
    id: [chatId],
    provider: ["openai", "groq", "google", "compatible"],
    nextauth: ["session", "csrf", "providers", "signout"],
  };

  const start = logOffset();
  const counts: Record<string, Record<string, number>> = {};
  const library500: string[] = [];
  const failures: { route: string; status: number | string; text: string; curl: string }[] = [];
  const errors: { route: string; error: string; curl: string }[] = [];
  const retried: string[] = [];
  for (const [i, route] of routes.entries()) {
    const requests = fc.sample(requestArb(route, cookie, known, chatId), {
      numRuns: PER_ROUTE,
      seed: SEED + i,
    });
    const tally: Record<string, number> = {};
    counts[route.pattern] = tally;
    await pool(requests, CONCURRENCY, async (req) => {
      let r = await send(req);
      // A reset on a small request is sent once more: on this 2-core machine, under the fuzz's
      // own load, Node's server has reset a connection it had just accepted (seen once in a full
      // suite). Only a request that is dropped twice counts as unanswered; resets are tallied.
      if ("error" in r && (req.body?.bytes.length ?? 0) < OVERSIZED) {
        retried.push(`${route.pattern}: ${r.error}`);
        r = await send(req);
      }
      const key = "error" in r ? "no answer" : String(r.status);
      tally[key] = (tally[key] ?? 0) + 1;
      if ("error" in r) {
        if ((req.body?.bytes.length ?? 0) < OVERSIZED)
          errors.push({ route: route.pattern, error: r.error, curl: curl(req) });
      } else if (r.status >= 500 && KNOWN_LIBRARY_500(route.pattern, r.text)) {
        library500.push(curl(req));
      } else if (r.status >= 500)
        failures.push({
          route: route.pattern,
          status: r.status,
          text: r.text.slice(0, 300),
          curl: curl(req),
        });
    });
  }
  agent.destroy();
  const total = Object.values(counts).reduce((n, t) => n + Object.values(t).reduce((a, b) => a + b, 0), 0);
  console.log(
    `[fuzz] seed ${SEED}, ${total} requests, ${PER_ROUTE} per route:\n${JSON.stringify(counts, null, 1)}`,
  );
  console.log(
    `[fuzz] small requests reset once and sent again: ${retried.length}${retried[0] ? ` (${retried.join("; ")})` : ""}`,
  );
  if (failures.length || errors.length) console.log(JSON.stringify({ failures, errors }, null, 1));

  console.log(
    `[fuzz] known library 500s (next-auth): ${library500.length}${library500[0] ? `, e.g. ${library500[0]}` : ""}`,
  );
  expect(failures, `5xx answers (seed ${SEED}; FUZZ_SEED=${SEED} replays)`).toEqual([]);
  // A request the server dropped without an answer is a crash too (a 413 sent while a big body
  // was still being written may surface as a reset on the client: those have a status above).
  expect(errors, `requests without an answer (seed ${SEED})`).toEqual([]);
  const log = logSince(start);
  // Our code never met an error it did not expect.
  expect(log.split("\n").filter((l) => /api\.unhandled|unhandledRejection/.test(l))).toEqual([]);
  // Known and reported, not yet fixed: an upload the client abandons (an oversized body the
  // server answered 413 to while it was still being sent) makes Next log an uncaught
  // "Error: aborted" (ECONNRESET) from the request stream; the server keeps serving. Counted
  // here so a change shows, not asserted.
  const aborted = log.split("\n").filter((l) => /uncaughtException/.test(l)).length;
  console.log(`[fuzz] uncaughtException lines in the server log: ${aborted}`);
});
