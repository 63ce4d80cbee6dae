// The two Web Crypto primitives the envelope is built on, in one place so the Wycheproof vectors
// (vectors.test.ts) run through exactly the calls the envelope makes: AES-GCM with a 128-bit tag,
// and HKDF-SHA256. Web Crypto only (edge-safe). The envelope adds its own rules on top
// (32-byte master keys, 12-byte nonces, AAD layout); these functions take what Web Crypto takes.

export const TAG_BITS = 128;

function gcm(nonce: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): AesGcmParams {
  return { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: TAG_BITS };
}

function hkdf(salt: Uint8Array<ArrayBuffer>, info: Uint8Array<ArrayBuffer>): HkdfParams {
  return { name: "HKDF", hash: "SHA-256", salt, info };
}

/** AES-GCM encrypt: ciphertext with the tag appended. */
export async function aeadSeal(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await globalThis.crypto.subtle.encrypt(gcm(nonce, aad), key, plaintext));
}

/** AES-GCM decrypt of ciphertext+tag; rejects (OperationError) when authentication fails. */
export async function aeadOpen(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  aad: Uint8Array<ArrayBuffer>,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await globalThis.crypto.subtle.decrypt(gcm(nonce, aad), key, sealed));
}

/** HKDF-SHA256 to a non-extractable AES-256-GCM key (what the envelope uses per user). */
export function hkdfAesKey(
  ikm: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey> {
  return globalThis.crypto.subtle.deriveKey(hkdf(salt, info), ikm, { name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

/** HKDF-SHA256 output bytes, same parameters as hkdfAesKey (known-answer tests). */
export async function hkdfBytes(
  ikm: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await globalThis.crypto.subtle.deriveBits(hkdf(salt, info), ikm, length * 8));
}
