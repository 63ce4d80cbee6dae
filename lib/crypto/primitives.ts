// The two Web Crypto primitives the envelope is built on, in one place so the Wycheproof vectors
// (vectors.test.ts) run through exactly the calls the envelope makes: AES-GCM with a 128-bit tag,
// and HKDF-SHA256. Web Crypto only (edge-safe). The envelope adds its own rules on top
// (32-byte master keys, 12-byte nonces, AAD layout); these functions take what Web Crypto takes.

export const TAG_BITS = 128;

type Bytes = Uint8Array<ArrayBuffer>;

async function gcm(op: "encrypt" | "decrypt", key: CryptoKey, nonce: Bytes, aad: Bytes, data: Bytes) {
  const params: AesGcmParams = { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: TAG_BITS };
  return new Uint8Array(await globalThis.crypto.subtle[op](params, key, data));
}

function hkdf(salt: Bytes, info: Bytes): HkdfParams {
  return { name: "HKDF", hash: "SHA-256", salt, info };
}

/** AES-GCM encrypt: ciphertext with the tag appended. */
export function aeadSeal(key: CryptoKey, nonce: Bytes, aad: Bytes, plaintext: Bytes): Promise<Bytes> {
  return gcm("encrypt", key, nonce, aad, plaintext);
}

/** AES-GCM decrypt of ciphertext+tag; rejects (OperationError) when authentication fails. */
export function aeadOpen(key: CryptoKey, nonce: Bytes, aad: Bytes, sealed: Bytes): Promise<Bytes> {
  return gcm("decrypt", key, nonce, aad, sealed);
}

/** HKDF-SHA256 to a non-extractable AES-256-GCM key (what the envelope uses per user). */
export function hkdfAesKey(ikm: CryptoKey, salt: Bytes, info: Bytes): Promise<CryptoKey> {
  return globalThis.crypto.subtle.deriveKey(hkdf(salt, info), ikm, { name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

/** HKDF-SHA256 output bytes, same parameters as hkdfAesKey (known-answer tests). */
export async function hkdfBytes(ikm: CryptoKey, salt: Bytes, info: Bytes, length: number): Promise<Bytes> {
  return new Uint8Array(await globalThis.crypto.subtle.deriveBits(hkdf(salt, info), ikm, length * 8));
}
