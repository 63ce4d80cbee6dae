// Strict base64 codecs for key material and envelopes. Strict on purpose: a lenient decoder
// lets several strings map to the same bytes (ignored padding bits, whitespace), so a tampered
// envelope could still decrypt. Every decode re-encodes and must reproduce its input exactly.

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    out += b1 === undefined ? (pad ? "=" : "") : alphabet[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    out += b2 === undefined ? (pad ? "=" : "") : alphabet[b2 & 63];
  }
  return out;
}

function decode(text: string, alphabet: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const ch of text) {
    const v = alphabet.indexOf(ch);
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (acc >> bits) & 0xff;
    }
  }
  const out = bytes.subarray(0, n);
  // Non-zero leftover bits would make two encodings of the same bytes: reject.
  return encode(out, alphabet, false) === text ? out : undefined;
}

export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL_ALPHABET, false);
}

/** Canonical unpadded base64url only; anything else → undefined. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  return decode(text, URL_ALPHABET);
}

export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STD_ALPHABET, true);
}

/** Standard or url-safe base64, padded or not (humans paste both). Canonical only. */
export function fromBase64Loose(text: string): Uint8Array | undefined {
  const unpadded = text.replace(/={1,2}$/, "");
  if (unpadded !== text && text.length % 4 !== 0) return undefined;
  const urlForm = unpadded.replace(/\+/g, "-").replace(/\//g, "_");
  if (/[+/]/.test(unpadded) && /[-_]/.test(unpadded)) return undefined;
  return decode(urlForm, URL_ALPHABET);
}
