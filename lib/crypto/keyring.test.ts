import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { seeded } from "@/test/seeded";
import { fromBase64Loose, fromBase64Url, toBase64, toBase64Url } from "./base64";
import { decryptSecret, encryptSecret } from "./envelope";
import { generateKeyringSpec, KeyringError, parseKeyring } from "./keyring";
import { getKeyring, loadKeyring } from "./load-keyring";

const rnd = seeded(3);
const k32 = () => toBase64(rnd.bytes(32));

describe("base64", () => {
  it("round-trips every length and rejects non-canonical text", () => {
    const r = seeded(11);
    for (let n = 0; n < 70; n++) {
      const bytes = r.bytes(n);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      expect(fromBase64Loose(toBase64(bytes))).toEqual(bytes);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
    }
    expect(fromBase64Url("QQ")).toEqual(new Uint8Array([65]));
    expect(fromBase64Url("QR")).toBeUndefined(); // same byte, non-zero padding bits
    expect(fromBase64Url("Q")).toBeUndefined();
    expect(fromBase64Url("QQ==")).toBeUndefined();
    expect(fromBase64Url("Q Q")).toBeUndefined();
    expect(fromBase64Loose("QQ=")).toBeUndefined();
    expect(fromBase64Loose("+/-_")).toBeUndefined(); // mixed alphabets
  });
});

describe("parseKeyring", () => {
  it("parses several keys; active = first unless named", () => {
    const spec = `old:${k32()}, new_1:${k32()}`;
    const kr = parseKeyring(spec);
    expect(kr.activeKid).toBe("old");
    expect(kr.kids).toEqual(["old", "new_1"]);
    expect(parseKeyring(spec, "new_1").activeKid).toBe("new_1");
    expect(kr.has("new_1")).toBe(true);
    expect(kr.has("nope")).toBe(false);
  });

  it("accepts url-safe and unpadded base64 of 32 bytes", () => {
    const bytes = rnd.bytes(32);
    expect(parseKeyring(`a:${Buffer.from(bytes).toString("base64url")}`).kids).toEqual(["a"]);
    expect(parseKeyring(`a:${toBase64(bytes).replace(/=+$/, "")}`).kids).toEqual(["a"]);
  });

  it("rejects bad specs with a message that names the problem but not the key", () => {
    const short = toBase64(rnd.bytes(31));
    const long = toBase64(rnd.bytes(33));
    const good = k32();
    const cases: [string, RegExp, string?][] = [
      ["", /empty/],
      [`k1${good}`, /entry #1 is not of the form/],
      [`K1:${good}`, /entry #1 has an invalid key id/],
      [`${"a".repeat(33)}:${good}`, /invalid key id/],
      [`:${good}`, /invalid key id/],
      [`k1:${short}`, /kid "k1".*exactly 32 bytes, got 31/],
      [`k1:${good},k2:${long}`, /entry #2 \(kid "k2"\).*got 33/],
      [`k1:${good},k1:${k32()}`, /"k1" is listed twice/],
      [`k1:not base64!!`, /not valid base64/],
      [`k1:${good},`, /entry #2 is not of the form/],
      [`k1:${good}`, /active key id "k2"/, "k2"],
    ];
    for (const [spec, message, active] of cases) {
      let error: unknown;
      try {
        parseKeyring(spec, active);
      } catch (e) {
        error = e;
      }
      expect(error, spec).toBeInstanceOf(KeyringError);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      for (const material of [short, long, good, "not base64!!"]) expect(text).not.toContain(material);
    }
  });

  it("keeps key material out of logs and JSON", () => {
    const material = k32();
    const kr = parseKeyring(`k1:${material}`);
    const raw = Buffer.from(material, "base64");
    for (const text of [inspect(kr, { showHidden: true, depth: 5 }), JSON.stringify(kr), String(kr)]) {
      expect(text).not.toContain(material);
      expect(text).not.toContain(raw.toString("hex"));
      expect(text).not.toContain([...raw].join(","));
    }
    expect(JSON.parse(JSON.stringify(kr))).toEqual({ activeKid: "k1", kids: ["k1"] });
  });
});

describe("generateKeyringSpec", () => {
  it("produces a valid fresh spec that encrypts and decrypts", async () => {
    const a = generateKeyringSpec();
    const b = generateKeyringSpec("primary");
    expect(a).not.toBe(b);
    expect(b).toMatch(/^primary:[A-Za-z0-9+/]{43}=$/);
    const kr = parseKeyring(`${b},${a}`);
    expect(kr.activeKid).toBe("primary");
    expect(parseKeyring(a).activeKid).toMatch(/^k\d{8}-[0-9a-f]{4}$/);
    const ctx = { userId: "u1", provider: "groq" };
    const { ciphertext } = await encryptSecret({ plaintext: "gsk_abc", ...ctx }, kr);
    expect(await decryptSecret({ ciphertext, ...ctx }, kr)).toEqual({ ok: true, plaintext: "gsk_abc" });
    expect(() => generateKeyringSpec("Bad Kid")).toThrow(KeyringError);
  });
});

describe("loadKeyring / getKeyring", () => {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { ...process.env };
  const dirs: string[] = [];
  function setEnv(vars: Record<string, string | undefined>) {
    for (const k of ["BYOK_MASTER_KEYS", "BYOK_ACTIVE_KEY_ID", "DATABASE_URL", "BYOK_DATA_DIR"])
      delete process.env[k];
    Object.assign(process.env, vars);
    delete g.__byokEnv;
    delete g.__byokKeyring;
  }
  function tempDir() {
    const dir = mkdtempSync(path.join(tmpdir(), "byok-keyring-"));
    dirs.push(dir);
    return dir;
  }
  afterEach(() => {
    process.env = { ...saved };
    delete g.__byokEnv;
    delete g.__byokKeyring;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("reads BYOK_MASTER_KEYS and BYOK_ACTIVE_KEY_ID, and caches on globalThis", () => {
    setEnv({ BYOK_MASTER_KEYS: `a:${k32()},b:${k32()}`, BYOK_ACTIVE_KEY_ID: "b", BYOK_DATA_DIR: tempDir() });
    const kr = getKeyring();
    expect(kr.activeKid).toBe("b");
    expect(getKeyring()).toBe(kr);
  });

  it("prefixes env errors with the variable name", () => {
    setEnv({ BYOK_MASTER_KEYS: `a:${toBase64(rnd.bytes(16))}`, BYOK_DATA_DIR: tempDir() });
    expect(() => loadKeyring()).toThrow(/^BYOK_MASTER_KEYS: .*exactly 32 bytes, got 16/);
  });

  it("falls back to master.key in the data dir in embedded mode (spec or bare key)", () => {
    const dir = tempDir();
    setEnv({ BYOK_DATA_DIR: dir });
    writeFileSync(path.join(dir, "master.key"), `${generateKeyringSpec("file1")}\n`);
    expect(loadKeyring().activeKid).toBe("file1");
    writeFileSync(path.join(dir, "master.key"), k32());
    expect(loadKeyring().activeKid).toBe("local");
  });

  it("explains how to set BYOK_MASTER_KEYS when nothing is configured", () => {
    setEnv({ BYOK_DATA_DIR: tempDir() });
    expect(() => loadKeyring()).toThrow(/master\.key is missing.*Set BYOK_MASTER_KEYS=/);
    setEnv({ DATABASE_URL: "postgres://x@127.0.0.1/none", BYOK_DATA_DIR: tempDir() });
    expect(() => loadKeyring()).toThrow(/BYOK_MASTER_KEYS is unset \(required with DATABASE_URL\)/);
  });
});

describe("edge safety", () => {
  it("keeps the pure crypto modules free of Node imports", async () => {
    const { readFileSync } = await import("node:fs");
    for (const file of ["base64.ts", "keyring.ts", "envelope.ts", "../log.ts"]) {
      const source = readFileSync(path.join(import.meta.dirname, file), "utf8");
      const imports = [...source.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\//);
      expect(source).not.toMatch(/\bprocess\.|\brequire\(|\bBuffer\./);
    }
  });
});
