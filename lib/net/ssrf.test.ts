import { createServer, type Server, type Socket } from "node:net";
import { hostname } from "node:os";
import { generateText } from "ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLanguageModel } from "@/lib/ai/model";
import { probeProviderKey } from "@/lib/ai/probe-key";
import { AppError } from "@/lib/errors";
import { checkBaseUrl } from "@/lib/keys/base-url";
import { type MockUpstream, startMockUpstream } from "@/test/harness";
import { createGuardedFetch, type LookupAll } from "./dispatcher";
import { BlockedAddressError, classifyAddress, ownAddresses } from "./guard";

// The SSRF suite: a table of hostile spellings of "this machine" and of special-purpose ranges
// goes through the classifier, the save-time check, the key test (models list + probe) and the
// chat model, while a listener on every local address (loopback and this host's interfaces,
// dual-stack) counts the connections that reach it: 0 is the only passing figure. Host names use
// a stub resolver (plus the real one for names /etc/hosts maps to loopback). Then: DNS
// rebinding (public at save, loopback at connect), redirects, and ALLOW_PRIVATE_BASE_URLS.

type Spelling = { host: string; answers?: string[] };

const ip = (host: string): Spelling => ({ host });
const name = (host: string, ...answers: string[]): Spelling => ({ host, answers });

const IPV4_LOOPBACK = [
  "127.0.0.1",
  "127.1",
  "127.0.1",
  "127.000.000.001",
  "127.0.0.1.",
  "2130706433",
  "0x7f000001",
  "0x7F000001",
  "0x7f.0.0.1",
  "0x7f.0x0.0x0.0x1",
  "0x7f.1",
  "0177.0.0.1",
  "0177.0.0.01",
  "0177.1",
  "017700000001",
  "0x7f.0.0.0x1",
  "127.0.0.2",
  "127.127.127.127",
  "127.255.255.254",
  "0",
  "0.0.0.0",
  "0x0",
  "00",
  "0.0.0",
];
const IPV4_SPECIAL = [
  "10.0.0.1",
  "10.255.255.255",
  "172.16.0.1",
  "172.31.255.254",
  "192.168.0.1",
  "192.168.255.254",
  "100.64.0.1",
  "100.127.255.254",
  "169.254.0.1",
  "169.254.169.254",
  "169.254.170.2",
  "100.100.100.200",
  "192.0.0.1",
  "192.0.0.170",
  "192.0.2.1",
  "198.18.0.1",
  "198.19.255.254",
  "198.51.100.1",
  "203.0.113.1",
  "192.88.99.1",
  "224.0.0.1",
  "239.255.255.250",
  "240.0.0.1",
  "255.255.255.255",
  "0.1.2.3",
  "0xa9.0xfe.0xa9.0xfe", // 169.254.169.254 in hex
  "2852039166", // 169.254.169.254 as one number
  "012.0.0.1", // 10.0.0.1 in octal
];
const IPV6 = [
  "[::1]",
  "[0:0:0:0:0:0:0:1]",
  "[0000:0000:0000:0000:0000:0000:0000:0001]",
  "[::0:1]",
  "[::]",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[0:0:0:0:0:ffff:127.0.0.1]",
  "[::ffff:0:127.0.0.1]", // IPv4-translated
  "[::ffff:0:7f00:1]",
  "[::127.0.0.1]", // IPv4-compatible
  "[::7f00:1]",
  "[::0.0.0.0]",
  "[::ffff:0.0.0.0]",
  "[::ffff:10.0.0.1]",
  "[::ffff:169.254.169.254]",
  "[::ffff:a9fe:a9fe]",
  "[64:ff9b::127.0.0.1]", // NAT64
  "[64:ff9b::7f00:1]",
  "[64:ff9b::10.0.0.1]",
  "[64:ff9b::a9fe:a9fe]",
  "[64:ff9b:1::7f00:1]", // local-use NAT64, /96 layout
  "[64:ff9b:1:7f00:0:100::]", // local-use NAT64, /48 layout of 127.0.0.1
  "[2002:7f00:1::]", // 6to4 of 127.0.0.1
  "[2002:7f00:1::1]",
  "[2002:a9fe:a9fe::]",
  "[2002:c000:202::1]", // 6to4 of 192.0.2.2
  "[2001:0:7f00:1::]", // Teredo, server 127.0.0.1
  "[2001::80ff:fffe]", // Teredo, client ~127.0.0.1
  "[fc00::1]",
  "[fd00::1]",
  "[fd00:ec2::254]",
  "[fe80::1]",
  "[fec0::1]", // site-local
  "[ff02::1]",
  "[ff05::2]",
  "[100::1]", // discard
  "[2001:db8::1]", // documentation
  "[3fff::1]",
  "[2001:2::1]", // benchmarking
  "[2001:10::1]", // ORCHID
  "[2001:20::1]",
  "[5f00::1]",
  "[::2]",
];
const NAMES: Spelling[] = [
  name("loopback.test", "127.0.0.1"),
  name("v6-loopback.test", "::1"),
  name("mapped.test", "::ffff:127.0.0.1"),
  name("compat.test", "::7f00:1"),
  name("nat64.test", "64:ff9b::7f00:1"),
  name("sixtofour.test", "2002:7f00:1::"),
  name("mixed.test", "93.184.216.34", "127.0.0.1"),
  name("mixed6.test", "2606:4700::1111", "::1"),
  name("private.test", "10.0.0.1"),
  name("cgnat.test", "100.64.0.1"),
  name("ula.test", "fd00::2"),
  name("zero.test", "0.0.0.0"),
  name("metadata-dns.test", "169.254.169.254"),
  name("metadata6.test", "fd00:ec2::254"),
  name("linklocal6.test", "fe80::1"),
  ...[...ownAddresses()].map((a, i) => name(`own-${i}.test`, a)),
  name("localhost"), // real resolver, from here on
  name("LOCALHOST"),
  name(hostname()),
];
const OWN = [...ownAddresses()].map((a) => ip(a.includes(":") ? `[${a}]` : a));

const SPELLINGS: Spelling[] = [...[...IPV4_LOOPBACK, ...IPV4_SPECIAL, ...IPV6].map(ip), ...OWN, ...NAMES];

/** A resolver stub answering from the table (no network). */
const stubLookup: LookupAll = async (host) => {
  const entry = NAMES.find((n) => n.host === host && n.answers?.length);
  if (!entry?.answers) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return entry.answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};
/** The stub for the table's names; the system resolver for the real ones. */
const tableLookup: LookupAll = (host) =>
  NAMES.find((n) => n.host === host)?.answers?.length
    ? stubLookup(host)
    : import("./dispatcher").then((m) => m.systemLookup(host));

// A listener on every local address (dual-stack wildcard): loopback, 127/8, and this host's own
// interface addresses all land here. Nothing may ever connect.
let trap: Server;
let port = 0;
const connections: Socket[] = [];
beforeAll(async () => {
  trap = createServer((s) => {
    connections.push(s);
    s.destroy();
  });
  await new Promise<void>((resolve) => trap.listen({ port: 0, host: "::", ipv6Only: false }, resolve));
  port = (trap.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => trap.close(() => resolve())));

const urlOf = (s: Spelling) => `http://${s.host}:${port}/v1`;
const strictFetch = createGuardedFetch({ allowPrivate: false, lookup: tableLookup });

/** Why a guarded fetch failed: the BlockedAddressError in its cause chain, if any. */
function blockedCause(e: unknown): BlockedAddressError | undefined {
  for (let c: unknown = e, i = 0; c && i < 6; c = (c as { cause?: unknown }).cause, i++) {
    if (c instanceof BlockedAddressError) return c;
  }
  return undefined;
}

/** Runs each spelling through the key test and the chat model; lists those not refused by the guard. */
async function throughTestAndChat(spellings: Spelling[], fetch?: typeof globalThis.fetch): Promise<string[]> {
  const reached: string[] = [];
  const common = { provider: "compatible", apiKey: "sk-canary-ssrf-0000", modelId: "mock-model" } as const;
  for (const s of spellings) {
    const withFetch = fetch ? { fetch } : {};
    const out = await probeProviderKey({ ...common, baseUrl: urlOf(s), timeoutMs: 5000, ...withFetch });
    if (out.result !== "unreachable") reached.push(`test ${s.host}: ${out.result}`);
    const model = createLanguageModel({ ...common, baseUrl: urlOf(s), ...withFetch });
    const error = await generateText({ model, prompt: "hi", maxRetries: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!blockedCause(error)) reached.push(`chat ${s.host}: ${String(error)}`);
  }
  return reached;
}

describe("SSRF table", () => {
  it(`has at least 100 spellings (${SPELLINGS.length})`, () => {
    expect(SPELLINGS.length).toBeGreaterThanOrEqual(100);
  });

  it("the classifier refuses every spelling (URL host or what its name resolves to)", async () => {
    const passed: string[] = [];
    for (const s of SPELLINGS) {
      const host = new URL(urlOf(s)).hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
      const addresses = classifyAddress(host).reason === "not an IP address" ? await tableLookup(host) : [];
      const verdicts = addresses.length
        ? addresses.map((a) => classifyAddress(a.address))
        : [classifyAddress(host)];
      if (verdicts.every((v) => v.verdict === "public")) passed.push(s.host);
    }
    console.log(`SSRF classifier: ${SPELLINGS.length} spellings, ${passed.length} classified public`);
    expect(passed).toEqual([]);
  });

  it("save refuses every spelling", async () => {
    const accepted: string[] = [];
    for (const s of SPELLINGS) {
      try {
        await checkBaseUrl(urlOf(s), { allowPrivate: false, lookup: tableLookup });
        accepted.push(s.host);
      } catch (e) {
        expect(e, s.host).toBeInstanceOf(AppError);
      }
    }
    console.log(`SSRF save: ${SPELLINGS.length} spellings, ${accepted.length} accepted`);
    expect(accepted).toEqual([]);
    expect(connections).toHaveLength(0);
  });

  it("the key test (models list + probe) and the chat model connect to none of them", async () => {
    const reached = await throughTestAndChat(SPELLINGS, strictFetch);
    console.log(
      `SSRF test+chat: ${SPELLINGS.length} spellings × 2 paths, ${reached.length} not refused by the guard, ${connections.length} connections reached the listener`,
    );
    expect(reached).toEqual([]);
    expect(connections).toHaveLength(0);
  });
});

describe("the production wiring (no injected fetch) under ALLOW_PRIVATE_BASE_URLS=false", () => {
  const saved = process.env.ALLOW_PRIVATE_BASE_URLS;
  const resetEnv = () => {
    (globalThis as { __byokEnv?: unknown }).__byokEnv = undefined;
  };
  beforeAll(() => {
    process.env.ALLOW_PRIVATE_BASE_URLS = "false";
    resetEnv();
  });
  afterAll(() => {
    process.env.ALLOW_PRIVATE_BASE_URLS = saved;
    resetEnv();
  });

  it("key test and chat refuse every literal and real-name spelling at connect time", async () => {
    const literal = SPELLINGS.filter((s) => !s.answers || s.answers.length === 0);
    const reached = await throughTestAndChat(literal);
    console.log(`SSRF default wiring: ${literal.length} spellings, ${reached.length} not refused`);
    expect(reached).toEqual([]);
    expect(connections).toHaveLength(0);
  });
});

describe("DNS rebinding", () => {
  it("a name that was public when saved and is loopback at connect time is refused", async () => {
    let calls = 0;
    const rebinding: LookupAll = async () => {
      calls += 1;
      const address = calls === 1 ? "93.184.216.34" : "127.0.0.1";
      return [{ address, family: 4 }];
    };
    const url = `http://rebind.test:${port}/v1`;
    await expect(checkBaseUrl(url, { allowPrivate: false, lookup: rebinding })).resolves.toBe(url);
    const guarded = createGuardedFetch({ allowPrivate: false, lookup: rebinding });
    const model = createLanguageModel({
      provider: "compatible",
      apiKey: "sk-canary-rebind-0000",
      baseUrl: url,
      modelId: "mock-model",
      fetch: guarded,
    });
    const error = await generateText({ model, prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
    expect(blockedCause(error)?.message).toMatch(/loopback/);
    const out = await probeProviderKey({
      provider: "compatible",
      apiKey: "sk-canary-rebind-0000",
      baseUrl: url,
      modelId: "mock-model",
      fetch: guarded,
    });
    expect(out.result).toBe("unreachable");
    expect(calls).toBeGreaterThanOrEqual(3); // save, chat connect, key-test connect
    expect(connections).toHaveLength(0);
  });
});

describe("ALLOW_PRIVATE_BASE_URLS=true", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream({ tokens: 4 });
  });
  afterAll(() => mock.close());
  afterEach(() => mock.reset());

  it("lets a local model server on localhost through (what the e2e suite's mock relies on)", async () => {
    const base = mock.baseUrls.compatible.replace("127.0.0.1", "localhost");
    const open = createGuardedFetch({ allowPrivate: true });
    await expect(checkBaseUrl(base, { allowPrivate: true })).resolves.toBe(base);
    const out = await probeProviderKey({
      provider: "compatible",
      apiKey: "local-mock-ok-0000wxyz",
      baseUrl: base,
      modelId: "mock-model",
      fetch: open,
    });
    expect(out.result).toBe("valid");
    const model = createLanguageModel({
      provider: "compatible",
      apiKey: "local-mock-ok-0000wxyz",
      baseUrl: base,
      modelId: "mock-model",
      fetch: open,
    });
    const { text } = await generateText({ model, prompt: "hi", maxRetries: 0 });
    expect(text.length).toBeGreaterThan(0);
    expect(mock.requests().length).toBeGreaterThanOrEqual(3);
  });

  it("still never connects to link-local or metadata addresses, by literal or by name", async () => {
    const lookup: LookupAll = async (host) =>
      host === "meta.test"
        ? [{ address: "169.254.169.254", family: 4 }]
        : [{ address: "fe80::1", family: 6 }];
    const open = createGuardedFetch({ allowPrivate: true, lookup });
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/",
      "http://100.100.100.200/",
      "http://[::ffff:169.254.169.254]/",
      "http://169.254.1.1/",
      "http://[fe80::1]/",
      "http://meta.test/",
      "http://ll.test/",
    ]) {
      const error = await open(url).catch((e: unknown) => e);
      expect(blockedCause(error), url).toBeInstanceOf(BlockedAddressError);
    }
  });

  it("refuses to follow a redirect", async () => {
    const open = createGuardedFetch({ allowPrivate: true });
    const redirect = createServer((s) => {
      s.once("data", () =>
        s.end(`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${port}/\r\nContent-Length: 0\r\n\r\n`),
      );
    });
    await new Promise<void>((r) => redirect.listen(0, "127.0.0.1", r));
    const at = (redirect.address() as { port: number }).port;
    const error = await open(`http://127.0.0.1:${at}/v1/models`).catch((e: unknown) => e);
    expect(String((error as { cause?: unknown }).cause)).toMatch(/redirect/i);
    await new Promise<void>((r) => redirect.close(() => r()));
    expect(connections).toHaveLength(0);
  });
});
