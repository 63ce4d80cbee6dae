import { fromBase64Loose, toBase64 } from "./base64";

// Master keys by key id (kid). One is active (used to encrypt); the others only decrypt until a
// rotation has moved every row off them. Pure Web Crypto: safe in edge bundles.

export const KID_PATTERN = /^[a-z0-9_-]{1,32}$/;
export const MASTER_KEY_BYTES = 32;

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}

export class Keyring {
  readonly activeKid: string;
  readonly kids: readonly string[];
  // Private fields stay out of console.log, util.inspect and JSON.stringify.
  readonly #raw: Map<string, Uint8Array>;
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(keys: ReadonlyMap<string, Uint8Array>, activeKid: string) {
    if (!keys.has(activeKid)) throw new KeyringError(`active key id "${activeKid}" is not in the keyring`);
    this.#raw = new Map([...keys].map(([kid, bytes]) => [kid, Uint8Array.from(bytes)]));
    this.activeKid = activeKid;
    this.kids = Object.freeze([...keys.keys()]);
  }

  has(kid: string): boolean {
    return this.#raw.has(kid);
  }

  /** Non-extractable HKDF base key for `kid`, imported once; undefined for an unknown kid. */
  hkdfKey(kid: string): Promise<CryptoKey> | undefined {
    const raw = this.#raw.get(kid);
    if (!raw) return undefined;
    let key = this.#imported.get(kid);
    if (!key) {
      key = globalThis.crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "HKDF", false, [
        "deriveKey",
      ]);
      this.#imported.set(kid, key);
    }
    return key;
  }

  toJSON() {
    return { activeKid: this.activeKid, kids: this.kids };
  }

  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `Keyring { activeKid: ${this.activeKid}, kids: [${this.kids.join(", ")}] }`;
  }
}

/**
 * Parses `kid1:BASE64_32_BYTES,kid2:BASE64...`. The active key is `activeKid` or the first listed.
 * Errors name the entry and the problem, never the key material.
 */
export function parseKeyring(spec: string, activeKid?: string): Keyring {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new KeyringError("keyring is empty: expected kid:BASE64_32_BYTES[,kid:BASE64...]");
  }
  const keys = new Map<string, Uint8Array>();
  const entries = spec.split(",").map((e) => e.trim());
  entries.forEach((entry, i) => {
    const where = `keyring entry #${i + 1}`;
    const sep = entry.indexOf(":");
    if (sep < 0) throw new KeyringError(`${where} is not of the form kid:BASE64_32_BYTES`);
    const kid = entry.slice(0, sep).trim();
    const material = entry.slice(sep + 1).trim();
    if (!KID_PATTERN.test(kid)) {
      throw new KeyringError(`${where} has an invalid key id (use 1-32 of a-z 0-9 _ -)`);
    }
    if (keys.has(kid)) throw new KeyringError(`${where}: key id "${kid}" is listed twice`);
    const bytes = fromBase64Loose(material);
    if (!bytes) throw new KeyringError(`${where} (kid "${kid}"): key is not valid base64`);
    if (bytes.length !== MASTER_KEY_BYTES) {
      throw new KeyringError(
        `${where} (kid "${kid}"): key must be exactly ${MASTER_KEY_BYTES} bytes, got ${bytes.length}`,
      );
    }
    keys.set(kid, bytes);
  });
  const active = activeKid?.trim() || entries[0]?.slice(0, entries[0].indexOf(":")).trim();
  if (!active || !keys.has(active)) {
    throw new KeyringError(`active key id "${active ?? ""}" is not one of the keyring's kids`);
  }
  return new Keyring(keys, active);
}

/** A fresh one-key spec, e.g. for the embedded first start or for adding a key before rotation. */
export function generateKeyringSpec(kid?: string): string {
  const id = kid ?? defaultKid();
  if (!KID_PATTERN.test(id)) throw new KeyringError("invalid key id (use 1-32 of a-z 0-9 _ -)");
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(MASTER_KEY_BYTES));
  return `${id}:${toBase64(bytes)}`;
}

function defaultKid(): string {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const suffix = [...globalThis.crypto.getRandomValues(new Uint8Array(2))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `k${date}-${suffix}`;
}
