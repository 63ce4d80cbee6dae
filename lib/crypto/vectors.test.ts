import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toBase64 } from "./base64";
import { decryptSecret, encryptWithNonce } from "./envelope";
import { KeyringError, parseKeyring } from "./keyring";
import { aeadOpen, aeadSeal, hkdfAesKey, hkdfBytes, TAG_BITS } from "./primitives";

// Wycheproof (C2SP, Apache-2.0, vendored in ./vectors/wycheproof with its LICENSE) through the
// exact primitives the envelope calls (./primitives). Every vector Web Crypto accepts runs: valid
// ones must decrypt/derive to the expected bytes, invalid ones must be rejected. Vectors whose
// parameters Web Crypto refuses outright (a key size or IV length it does not support) or that
// the envelope's primitive cannot express (a tag other than 128 bits) are counted as skipped.

type AeadVector = {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: "valid" | "invalid" | "acceptable";
};
type AeadGroup = { keySize: number; ivSize: number; tagSize: number; tests: AeadVector[] };
type HkdfVector = {
  tcId: number;
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: "valid" | "invalid" | "acceptable";
};

const dir = path.join(import.meta.dirname, "vectors/wycheproof");
const load = <T>(file: string) =>
  JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { numberOfTests: number; testGroups: T[] };
const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const subtle = globalThis.crypto.subtle;

describe("Wycheproof AES-GCM through aeadOpen/aeadSeal", () => {
  const file = load<AeadGroup>("aes_gcm_test.json");
  const vectors = file.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, group: g })));

  it(`runs every vector Web Crypto accepts (${file.numberOfTests} in the file)`, async () => {
    expect(vectors).toHaveLength(file.numberOfTests);
    let run = 0;
    let validOk = 0;
    let invalidRejected = 0;
    const skipped: string[] = [];
    const failures: string[] = [];
    for (const v of vectors) {
      if (v.group.tagSize !== TAG_BITS) {
        skipped.push(`${v.tcId}: tag ${v.group.tagSize}`);
        continue;
      }
      let key: CryptoKey;
      try {
        key = await subtle.importKey("raw", hex(v.key), "AES-GCM", false, ["encrypt", "decrypt"]);
      } catch {
        skipped.push(`${v.tcId}: key ${v.group.keySize} bits refused`);
        continue;
      }
      const iv = hex(v.iv);
      const aad = hex(v.aad);
      const sealed = hex(v.ct + v.tag);
      // Web Crypto (here: Node's, over OpenSSL) refuses some IV lengths outright — empty, shorter
      // than 96 bits, very long. Its refusal looks like an authentication failure on decrypt, so
      // ask encrypt with the same key and IV first: a refusal there means "not runnable".
      const accepted = await aeadSeal(key, iv, aad, new Uint8Array()).then(
        () => true,
        () => false,
      );
      if (!accepted) {
        skipped.push(`${v.tcId}: IV of ${v.group.ivSize} bits refused`);
        continue;
      }
      run++;
      const opened = await aeadOpen(key, iv, aad, sealed).then(
        (b) => toHex(b),
        () => undefined,
      );
      if (v.result === "invalid") {
        if (opened === undefined) invalidRejected++;
        else failures.push(`${v.tcId}: invalid vector accepted`);
        continue;
      }
      if (opened !== v.msg) {
        failures.push(`${v.tcId}: decrypt gave ${opened === undefined ? "an error" : "other bytes"}`);
        continue;
      }
      // The seal direction must reproduce the vector's ciphertext and tag exactly.
      const resealed = toHex(await aeadSeal(key, iv, aad, hex(v.msg)));
      if (resealed !== v.ct + v.tag) failures.push(`${v.tcId}: encrypt gave other bytes`);
      else validOk++;
    }
    const refusedIvBits = [
      ...new Set(skipped.map((r) => r.match(/IV of (\d+) bits/)?.[1]).filter(Boolean)),
    ].sort((a, b) => Number(a) - Number(b));
    console.log(
      `AES-GCM: ${vectors.length} vectors, ${run} run (${validOk} valid decrypted and re-encrypted, ${invalidRejected} invalid rejected), ${skipped.length} skipped (key/iv/tag sizes Web Crypto refuses; IV bits refused: ${refusedIvBits.join(", ")})`,
    );
    expect(failures).toEqual([]);
    expect(run + skipped.length).toBe(vectors.length);
    // At least every 96-bit-IV vector (what the envelope uses) must be runnable.
    const standard = vectors.filter((v) => v.group.ivSize === 96).length;
    expect(run).toBeGreaterThanOrEqual(standard);
  });
});

describe("Wycheproof HKDF-SHA256 through hkdfBytes", () => {
  const file = load<{ tests: HkdfVector[] }>("hkdf_sha256_test.json");
  const vectors = file.testGroups.flatMap((g) => g.tests);

  it(`runs every vector (${file.numberOfTests} in the file)`, async () => {
    expect(vectors).toHaveLength(file.numberOfTests);
    let validOk = 0;
    let invalidRejected = 0;
    const skipped: string[] = [];
    const failures: string[] = [];
    for (const v of vectors) {
      const ikm = await subtle.importKey("raw", hex(v.ikm), "HKDF", false, ["deriveBits", "deriveKey"]);
      const out = await hkdfBytes(ikm, hex(v.salt), hex(v.info), v.size).then(
        (b) => toHex(b),
        () => undefined,
      );
      if (v.result === "invalid") {
        if (out === undefined) invalidRejected++;
        else failures.push(`${v.tcId}: invalid size ${v.size} derived`);
      } else if (out === v.okm) {
        validOk++;
      } else if (out === undefined && v.size === 0) {
        skipped.push(`${v.tcId}: zero-length output refused`);
      } else {
        failures.push(`${v.tcId}: derived ${out === undefined ? "an error" : "other bytes"}`);
      }
    }
    console.log(
      `HKDF-SHA256: ${vectors.length} vectors, ${validOk + invalidRejected} run (${validOk} valid derived, ${invalidRejected} invalid rejected), ${skipped.length} skipped`,
    );
    expect(failures).toEqual([]);
    expect(validOk + invalidRejected + skipped.length).toBe(vectors.length);
  });

  it("hkdfAesKey (what the envelope uses) is the same derivation as hkdfBytes", async () => {
    const v = vectors.find((t) => t.result === "valid" && t.size >= 32) as HkdfVector;
    const ikm = await subtle.importKey("raw", hex(v.ikm), "HKDF", false, ["deriveBits", "deriveKey"]);
    const derived = await hkdfAesKey(ikm, hex(v.salt), hex(v.info));
    const raw = await subtle.importKey("raw", hex(v.okm.slice(0, 64)), "AES-GCM", false, ["encrypt"]);
    const nonce = new Uint8Array(12);
    const data = new TextEncoder().encode("same key?");
    const a = await aeadSeal(derived, nonce, new Uint8Array(), data);
    const b = await aeadSeal(raw, nonce, new Uint8Array(), data);
    expect(toHex(a)).toBe(toHex(b));
  });
});

describe("the envelope's own size rules", () => {
  const ctx = { plaintext: "sk-size-rules-0000", userId: "u1", provider: "openai" };

  it.each([0, 1, 16, 24, 31, 33, 48, 64])("refuses a %d-byte master key", (n) => {
    expect(() => parseKeyring(`k1:${toBase64(new Uint8Array(n).fill(7))}`)).toThrow(KeyringError);
  });

  it("accepts exactly 32 bytes", () => {
    expect(parseKeyring(`k1:${toBase64(new Uint8Array(32).fill(7))}`).activeKid).toBe("k1");
  });

  it.each([0, 1, 8, 11, 13, 16, 24])("refuses to encrypt with a %d-byte nonce", async (n) => {
    const keyring = parseKeyring(`k1:${toBase64(new Uint8Array(32).fill(7))}`);
    await expect(encryptWithNonce(ctx, keyring, new Uint8Array(n))).rejects.toThrow(/12 bytes/);
  });

  it.each([8, 11, 13, 16])("refuses to decrypt an envelope whose nonce is %d bytes", async (n) => {
    const keyring = parseKeyring(`k1:${toBase64(new Uint8Array(32).fill(7))}`);
    const { ciphertext } = await encryptWithNonce(ctx, keyring, new Uint8Array(12).fill(1));
    const [v, kid, , body] = ciphertext.split(".");
    const nonce = Buffer.from(new Uint8Array(n).fill(1)).toString("base64url");
    const forged = [v, kid, nonce, body].join(".");
    await expect(decryptSecret({ ...ctx, ciphertext: forged }, keyring)).resolves.toEqual({
      ok: false,
      reason: "NEEDS_REENTRY",
      detail: "malformed",
    });
  });
});
