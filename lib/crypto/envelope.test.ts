import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seeded } from "@/test/seeded";
import { fromBase64Url, toBase64, toBase64Url } from "./base64";
import { decryptSecret, encryptSecret, encryptWithNonce, envelopeKid } from "./envelope";
import { parseKeyring } from "./keyring";

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => i);
const kat = parseKeyring(`kat:${toBase64(MASTER)}`);
const KAT_NONCE = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const KAT_INPUT = { plaintext: "sk-test-KnownAnswer-1234", userId: "user_123", provider: "openai" };
// Computed once with the independent node:crypto implementation below; pinned so that any change
// to the format, KDF, salt, info or AAD breaks this test instead of silently orphaning stored keys.
const KAT_ENVELOPE = "v1.kat.oKGio6Slpqeoqaqr.tMWfo8_p-7_EXFuTChiMYQNVeYQbJzw_N6oh7gziTwOU7bqdqXhGNg";

// Independent reference implementation (node:crypto), written from the format description.
function nodeKey(master: Uint8Array, userId: string) {
  return Buffer.from(hkdfSync("sha256", master, "byok-chat/v1/hkdf-salt", `byok-chat/v1/user:${userId}`, 32));
}
function nodeAad(kid: string, userId: string, provider: string) {
  return Buffer.from(JSON.stringify(["v1", kid, userId, provider]), "utf8");
}
function nodeEncrypt(master: Uint8Array, kid: string, nonce: Uint8Array, i: typeof KAT_INPUT) {
  const c = createCipheriv("aes-256-gcm", nodeKey(master, i.userId), nonce);
  c.setAAD(nodeAad(kid, i.userId, i.provider));
  const body = Buffer.concat([c.update(i.plaintext, "utf8"), c.final(), c.getAuthTag()]);
  return ["v1", kid, Buffer.from(nonce).toString("base64url"), body.toString("base64url")].join(".");
}
function nodeDecrypt(master: Uint8Array, envelope: string, userId: string, provider: string) {
  const [, kid, n, b] = envelope.split(".") as [string, string, string, string];
  const body = Buffer.from(b, "base64url");
  const d = createDecipheriv("aes-256-gcm", nodeKey(master, userId), Buffer.from(n, "base64url"));
  d.setAAD(nodeAad(kid, userId, provider));
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString("utf8");
}

const keyring = parseKeyring(`k1:${toBase64(seeded(1).bytes(32))},k0:${toBase64(seeded(2).bytes(32))}`);
const ctx = { userId: "cuser0000000000000000001", provider: "openai" };
const SECRET = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

describe("envelope", () => {
  it("round-trips and reports the active kid", async () => {
    const { ciphertext, kid } = await encryptSecret({ plaintext: SECRET, ...ctx }, keyring);
    expect(kid).toBe("k1");
    expect(envelopeKid(ciphertext)).toBe("k1");
    expect(ciphertext).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(ciphertext).not.toContain(SECRET.slice(8));
    expect(await decryptSecret({ ciphertext, ...ctx }, keyring)).toEqual({ ok: true, plaintext: SECRET });
  });

  it("matches the pinned known-answer vector and the node:crypto reference", async () => {
    const { ciphertext } = await encryptWithNonce(KAT_INPUT, kat, KAT_NONCE);
    expect(ciphertext).toBe(KAT_ENVELOPE);
    expect(nodeEncrypt(MASTER, "kat", KAT_NONCE, KAT_INPUT)).toBe(KAT_ENVELOPE);
    expect(await decryptSecret({ ...KAT_INPUT, ciphertext: KAT_ENVELOPE }, kat)).toEqual({
      ok: true,
      plaintext: KAT_INPUT.plaintext,
    });
  });

  it("interoperates with the node:crypto reference on seeded random inputs", async () => {
    const rnd = seeded(42);
    const alphabet = "abcXYZ019_-.:/ é✓🔑";
    for (let i = 0; i < 60; i++) {
      const master = rnd.bytes(32);
      const kr = parseKeyring(`r${i}:${toBase64(master)}`);
      const input = {
        plaintext: rnd.string(1, 200, alphabet),
        userId: rnd.string(1, 40, alphabet),
        provider: rnd.pick(["openai", "groq", "google", "x"]),
      };
      const nonce = rnd.bytes(12);
      const ours = await encryptWithNonce(input, kr, nonce);
      expect(ours.ciphertext).toBe(nodeEncrypt(master, `r${i}`, nonce, input));
      expect(nodeDecrypt(master, ours.ciphertext, input.userId, input.provider)).toBe(input.plaintext);
      const random = await encryptSecret(input, kr);
      expect(nodeDecrypt(master, random.ciphertext, input.userId, input.provider)).toBe(input.plaintext);
    }
  });

  it("gives different ciphertexts for the same plaintext", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++)
      seen.add((await encryptSecret({ plaintext: SECRET, ...ctx }, keyring)).ciphertext);
    expect(seen.size).toBe(50);
  });

  it("fails closed when any character of the envelope is changed", async () => {
    const rnd = seeded(7);
    const { ciphertext } = await encryptWithNonce({ plaintext: "gsk_short", ...ctx }, keyring, rnd.bytes(12));
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    let checked = 0;
    for (let pos = 0; pos < ciphertext.length; pos++) {
      // three different replacements per position, always different from the original char
      for (let t = 0; t < 3; t++) {
        let ch = rnd.pick([...alphabet]);
        while (ch === ciphertext[pos]) ch = rnd.pick([...alphabet]);
        const tampered = ciphertext.slice(0, pos) + ch + ciphertext.slice(pos + 1);
        const result = await decryptSecret({ ciphertext: tampered, ...ctx }, keyring);
        expect(result.ok, `position ${pos} → ${ch}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(ciphertext.length * 3);
  });

  it("fails with auth_failed when any bit of the nonce or ciphertext+tag flips", async () => {
    const { ciphertext } = await encryptSecret({ plaintext: SECRET, ...ctx }, keyring);
    const [v, kid, n, b] = ciphertext.split(".") as [string, string, string, string];
    for (const which of ["nonce", "body"] as const) {
      const bytes = fromBase64Url(which === "nonce" ? n : b) as Uint8Array;
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of [0, 3, 7]) {
          const copy = Uint8Array.from(bytes);
          copy[i] = (copy[i] as number) ^ (1 << bit);
          const env = [
            v,
            kid,
            which === "nonce" ? toBase64Url(copy) : n,
            which === "body" ? toBase64Url(copy) : b,
          ];
          const result = await decryptSecret({ ciphertext: env.join("."), ...ctx }, keyring);
          expect(result).toEqual({ ok: false, reason: "NEEDS_REENTRY", detail: "auth_failed" });
        }
      }
    }
  });

  it("rejects version/kid/structure changes, truncation and extension", async () => {
    // Fixed nonce: the expected detail of the truncation cases depends on the exact length/bits.
    const { ciphertext } = await encryptWithNonce(
      { plaintext: SECRET, ...ctx },
      keyring,
      seeded(5).bytes(12),
    );
    const [, , n, b] = ciphertext.split(".") as [string, string, string, string];
    const cases: [string, string][] = [
      [`v2.k1.${n}.${b}`, "malformed"],
      [`V1.k1.${n}.${b}`, "malformed"],
      [`v1.K1.${n}.${b}`, "malformed"],
      [`v1.k0.${n}.${b}`, "auth_failed"], // another real kid: AAD and key differ
      [`v1.k9.${n}.${b}`, "unknown_kid"],
      [`v1..${n}.${b}`, "malformed"],
      [`v1.k1.${n}`, "malformed"],
      [`v1.k1.${n}.${b}.x`, "malformed"],
      [`v1.k1.${n}.${b}A`, "malformed"],
      [`v1.k1.${n}.${b.slice(0, -1)}`, "malformed"],
      [`v1.k1.${n}.${b.slice(0, -4)}`, "auth_failed"],
      [`v1.k1.${n}.${b.slice(0, 21)}`, "malformed"], // shorter than the tag
      [`v1.k1.${n}=.${b}`, "malformed"],
      [` ${ciphertext}`, "malformed"],
      [`${ciphertext}\n`, "malformed"],
      ["", "malformed"],
      ["v1.k1..", "malformed"],
    ];
    for (const [env, detail] of cases) {
      expect(await decryptSecret({ ciphertext: env, ...ctx }, keyring), env).toEqual({
        ok: false,
        reason: "NEEDS_REENTRY",
        detail,
      });
    }
  });

  it("never throws for non-string or oversized input", async () => {
    for (const bad of [undefined, null, 42, {}, "x".repeat(20000)]) {
      const result = await decryptSecret({ ciphertext: bad as unknown as string, ...ctx }, keyring);
      expect(result).toMatchObject({ ok: false, detail: "malformed" });
    }
  });

  it("binds the ciphertext to user and provider (AAD swap fails)", async () => {
    const { ciphertext } = await encryptSecret({ plaintext: SECRET, ...ctx }, keyring);
    for (const other of [
      { userId: "cuser0000000000000000002", provider: ctx.provider },
      { userId: ctx.userId, provider: "groq" },
      { userId: ctx.userId, provider: "openai " },
      { userId: `${ctx.userId}x`, provider: ctx.provider },
    ]) {
      expect(await decryptSecret({ ciphertext, ...other }, keyring)).toEqual({
        ok: false,
        reason: "NEEDS_REENTRY",
        detail: "auth_failed",
      });
    }
    // Field boundaries are unambiguous: moving characters between userId and provider fails too.
    const a = await encryptSecret({ plaintext: SECRET, userId: "ab", provider: "c" }, keyring);
    expect((await decryptSecret({ ciphertext: a.ciphertext, userId: "a", provider: "bc" }, keyring)).ok).toBe(
      false,
    );
  });

  it("fails with a wrong master key or an unknown kid", async () => {
    const { ciphertext } = await encryptSecret({ plaintext: SECRET, ...ctx }, keyring);
    const wrong = parseKeyring(`k1:${toBase64(seeded(99).bytes(32))}`);
    expect(await decryptSecret({ ciphertext, ...ctx }, wrong)).toMatchObject({
      ok: false,
      detail: "auth_failed",
    });
    const other = parseKeyring(`k2:${toBase64(seeded(1).bytes(32))}`);
    expect(await decryptSecret({ ciphertext, ...ctx }, other)).toMatchObject({
      ok: false,
      detail: "unknown_kid",
    });
  });

  it("decrypts old kids after the active key changes", async () => {
    const old = await encryptSecret({ plaintext: SECRET, ...ctx }, keyring);
    const spec = `k1:${toBase64(seeded(1).bytes(32))},k0:${toBase64(seeded(2).bytes(32))}`;
    const rotated = parseKeyring(spec, "k0");
    expect(await decryptSecret({ ciphertext: old.ciphertext, ...ctx }, rotated)).toEqual({
      ok: true,
      plaintext: SECRET,
    });
    expect((await encryptSecret({ plaintext: SECRET, ...ctx }, rotated)).kid).toBe("k0");
  });

  it("refuses to encrypt empty or context-free input", async () => {
    await expect(encryptSecret({ plaintext: "", ...ctx }, keyring)).rejects.toThrow(TypeError);
    await expect(
      encryptSecret({ plaintext: SECRET, userId: "", provider: "openai" }, keyring),
    ).rejects.toThrow();
    await expect(encryptSecret({ plaintext: SECRET, userId: "u", provider: "" }, keyring)).rejects.toThrow();
    await expect(encryptSecret({ plaintext: "x".repeat(9000), ...ctx }, keyring)).rejects.toThrow(RangeError);
  });
});
