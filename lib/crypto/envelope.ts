import { fromBase64Url, toBase64Url } from "./base64";
import { type Keyring, KID_PATTERN } from "./keyring";
import { aeadOpen, aeadSeal, hkdfAesKey } from "./primitives";

// Envelope encryption for stored provider keys. Web Crypto only (no node: imports), so this
// module runs in Node and edge runtimes alike.
//
//   v1.<kid>.<nonce: 12 bytes b64url>.<ciphertext+tag b64url>
//
// Data key per user = HKDF-SHA256(master[kid], salt = HKDF_SALT, info = "byok-chat/v1/user:" + userId).
// AAD binds version, kid, user and provider, so a ciphertext pasted into another row fails.

export const ENVELOPE_VERSION = "v1";
export const HKDF_SALT = "byok-chat/v1/hkdf-salt";
export const HKDF_INFO_PREFIX = "byok-chat/v1/user:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MAX_PLAINTEXT_BYTES = 8192;
const MAX_ENVELOPE_CHARS = 16384;

export type EncryptInput = { plaintext: string; userId: string; provider: string };
export type DecryptInput = { ciphertext: string; userId: string; provider: string };
export type DecryptFailure = {
  ok: false;
  reason: "NEEDS_REENTRY";
  detail: "unknown_kid" | "malformed" | "auth_failed";
};
export type DecryptResult = { ok: true; plaintext: string } | DecryptFailure;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Exact bytes authenticated alongside the ciphertext; JSON keeps field boundaries unambiguous. */
export function envelopeAad(kid: string, userId: string, provider: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(JSON.stringify([ENVELOPE_VERSION, kid, userId, provider]));
}

// Derived keys per (keyring, kid, user): HKDF is cheap but not free, and hot paths decrypt the
// same user's key on every chat turn. Bounded so a long-lived process does not grow without end.
const CACHE_LIMIT = 1000;
const derivedCache = new WeakMap<Keyring, Map<string, Promise<CryptoKey>>>();

function dataKey(keyring: Keyring, kid: string, userId: string): Promise<CryptoKey> | undefined {
  const base = keyring.hkdfKey(kid);
  if (!base) return undefined;
  let cache = derivedCache.get(keyring);
  if (!cache) {
    cache = new Map();
    derivedCache.set(keyring, cache);
  }
  const cacheKey = JSON.stringify([kid, userId]);
  const hit = cache.get(cacheKey);
  if (hit) {
    cache.delete(cacheKey); // re-insert: Map order doubles as LRU order
    cache.set(cacheKey, hit);
    return hit;
  }
  const derived = base.then((k) =>
    hkdfAesKey(k, utf8.encode(HKDF_SALT), utf8.encode(HKDF_INFO_PREFIX + userId)),
  );
  cache.set(cacheKey, derived);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return derived;
}

function assertContext(userId: unknown, provider: unknown) {
  if (typeof userId !== "string" || userId === "") throw new TypeError("encryptSecret: userId is required");
  if (typeof provider !== "string" || provider === "") {
    throw new TypeError("encryptSecret: provider is required");
  }
}

/** @internal Test seam for known-answer vectors: a caller-chosen nonce. Never use in app code. */
export async function encryptWithNonce(
  input: EncryptInput,
  keyring: Keyring,
  nonce: Uint8Array<ArrayBuffer>,
): Promise<{ ciphertext: string; kid: string }> {
  const { plaintext, userId, provider } = input;
  assertContext(userId, provider);
  if (typeof plaintext !== "string" || plaintext === "") {
    throw new TypeError("encryptSecret: plaintext must be a non-empty string");
  }
  const data = utf8.encode(plaintext);
  if (data.length > MAX_PLAINTEXT_BYTES) throw new RangeError("encryptSecret: plaintext too large");
  if (nonce.length !== NONCE_BYTES) throw new RangeError("encryptSecret: nonce must be 12 bytes");
  const kid = keyring.activeKid;
  const key = await (dataKey(keyring, kid, userId) as Promise<CryptoKey>);
  const sealed = await aeadSeal(key, nonce, envelopeAad(kid, userId, provider), data);
  const ciphertext = [ENVELOPE_VERSION, kid, toBase64Url(nonce), toBase64Url(sealed)].join(".");
  return { ciphertext, kid };
}

/** Encrypts under the keyring's active kid with a fresh random nonce. */
export function encryptSecret(
  input: EncryptInput,
  keyring: Keyring,
): Promise<{ ciphertext: string; kid: string }> {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return encryptWithNonce(input, keyring, nonce);
}

const fail = (detail: DecryptFailure["detail"]): DecryptFailure => ({
  ok: false,
  reason: "NEEDS_REENTRY",
  detail,
});

/** Reads the kid of an envelope without decrypting it (rotation reports, status pages). */
export function envelopeKid(ciphertext: string): string | undefined {
  if (typeof ciphertext !== "string") return undefined;
  const parts = ciphertext.split(".");
  return parts.length === 4 && parts[0] === ENVELOPE_VERSION && KID_PATTERN.test(parts[1] as string)
    ? parts[1]
    : undefined;
}

/** Never throws for bad data and never yields an empty string: failure is a typed state. */
export async function decryptSecret(input: DecryptInput, keyring: Keyring): Promise<DecryptResult> {
  const { ciphertext, userId, provider } = input;
  if (typeof ciphertext !== "string" || ciphertext.length > MAX_ENVELOPE_CHARS) return fail("malformed");
  if (typeof userId !== "string" || userId === "" || typeof provider !== "string" || provider === "") {
    return fail("malformed");
  }
  const parts = ciphertext.split(".");
  if (parts.length !== 4) return fail("malformed");
  const [version, kid, nonceText, bodyText] = parts as [string, string, string, string];
  if (version !== ENVELOPE_VERSION || !KID_PATTERN.test(kid)) return fail("malformed");
  const nonce = fromBase64Url(nonceText);
  const body = fromBase64Url(bodyText);
  if (!nonce || nonce.length !== NONCE_BYTES || !body || body.length <= TAG_BYTES) return fail("malformed");
  const key = dataKey(keyring, kid, userId);
  if (!key) return fail("unknown_kid");
  try {
    const opened = await aeadOpen(
      await key,
      nonce as Uint8Array<ArrayBuffer>,
      envelopeAad(kid, userId, provider),
      body as Uint8Array<ArrayBuffer>,
    );
    const plaintext = strictUtf8.decode(opened);
    return plaintext === "" ? fail("malformed") : { ok: true, plaintext };
  } catch {
    return fail("auth_failed");
  }
}
