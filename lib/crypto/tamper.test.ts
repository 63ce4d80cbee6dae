import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seeded } from "@/test/seeded";
import { fromBase64Url, toBase64, toBase64Url } from "./base64";
import { decryptSecret, encryptSecret } from "./envelope";
import { parseKeyring } from "./keyring";

// Property-based tamper test: encrypt a random secret for a random user and provider, apply one
// random mutation to the envelope (version, kid, nonce, ciphertext, tag, length, the AAD's user
// or provider, or any character of the stored string), and decrypt. The original must decrypt;
// no mutation may. 2,000 runs by default (a few seconds); FULL_FUZZ=1 runs 100,000.

const FULL = process.env.FULL_FUZZ === "1";
const RUNS = FULL ? 100_000 : 2_000;

const keyring = parseKeyring(`k1:${toBase64(seeded(11).bytes(32))},k0:${toBase64(seeded(12).bytes(32))}`);
const PROVIDERS = ["openai", "groq", "google", "compatible"] as const;

type Ctx = { plaintext: string; userId: string; provider: string };
type Parts = { version: string; kid: string; nonce: Uint8Array; body: Uint8Array };

const split = (envelope: string): Parts => {
  const [version, kid, n, b] = envelope.split(".") as [string, string, string, string];
  return { version, kid, nonce: fromBase64Url(n) as Uint8Array, body: fromBase64Url(b) as Uint8Array };
};
const join = (p: Parts) => [p.version, p.kid, toBase64Url(p.nonce), toBase64Url(p.body)].join(".");
const flip = (bytes: Uint8Array, bit: number) => {
  const out = bytes.slice();
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] as number) ^ (1 << (bit % 8));
  return out;
};
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("version" as const), value: fc.string({ maxLength: 6 }) }),
  fc.record({
    kind: fc.constant("kid" as const),
    value: fc.oneof(fc.constant("k0"), fc.constant("k1"), fc.stringMatching(/^[a-z0-9_-]{1,32}$/)),
  }),
  fc.record({ kind: fc.constant("nonce-bit" as const), bit: fc.nat(95) }),
  fc.record({ kind: fc.constant("nonce-bytes" as const), bytes: fc.uint8Array({ maxLength: 24 }) }),
  fc.record({ kind: fc.constant("ciphertext-bit" as const), bit: fc.nat() }),
  fc.record({ kind: fc.constant("tag-bit" as const), bit: fc.nat(127) }),
  fc.record({ kind: fc.constant("truncate" as const), n: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("aad-user" as const), value: fc.string({ maxLength: 30 }) }),
  fc.record({ kind: fc.constant("aad-provider" as const), value: fc.string({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant("string-edit" as const),
    pos: fc.nat(),
    op: fc.constantFrom("replace", "insert", "delete"),
    char: fc.constantFrom(..."ABCXYZabcxyz0189-_.=+/ "),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** A string that is not `original`: the drawn one, or the drawn one with a suffix when they match. */
const other = (drawn: string, original: string) => (drawn === original ? `${drawn}x` : drawn);

/** The mutated (envelope, context); every mutation changes something. */
function apply(envelope: string, ctx: Ctx, m: Mutation): { envelope: string; ctx: Ctx } {
  const p = split(envelope);
  const tagStart = p.body.length - 16;
  switch (m.kind) {
    case "version":
      return { envelope: join({ ...p, version: other(m.value, p.version) }), ctx };
    case "kid":
      return { envelope: join({ ...p, kid: other(m.value, p.kid) }), ctx };
    case "nonce-bit":
      return { envelope: join({ ...p, nonce: flip(p.nonce, m.bit) }), ctx };
    case "nonce-bytes": {
      const nonce = same(m.bytes, p.nonce) ? new Uint8Array([...m.bytes, 0]) : m.bytes;
      return { envelope: join({ ...p, nonce }), ctx };
    }
    case "ciphertext-bit":
      return { envelope: join({ ...p, body: flip(p.body, m.bit % (tagStart * 8)) }), ctx };
    case "tag-bit":
      return { envelope: join({ ...p, body: flip(p.body, tagStart * 8 + m.bit) }), ctx };
    case "truncate":
      return { envelope: join({ ...p, body: p.body.slice(0, Math.max(0, p.body.length - m.n)) }), ctx };
    case "extend":
      return { envelope: join({ ...p, body: new Uint8Array([...p.body, ...m.bytes]) }), ctx };
    case "aad-user":
      return { envelope, ctx: { ...ctx, userId: other(m.value, ctx.userId) } };
    case "aad-provider":
      return { envelope, ctx: { ...ctx, provider: other(m.value, ctx.provider) } };
    case "string-edit": {
      const i = m.pos % (envelope.length + 1);
      const op = m.op === "replace" && envelope[i] === m.char ? "delete" : m.op;
      const edited =
        op === "insert"
          ? envelope.slice(0, i) + m.char + envelope.slice(i)
          : envelope.slice(0, i) + (op === "replace" ? m.char : "") + envelope.slice(i + 1);
      return { envelope: edited === envelope ? `${envelope}.` : edited, ctx };
    }
  }
}

describe("envelope tamper resistance (fast-check)", () => {
  it(
    `no mutated envelope decrypts (${RUNS.toLocaleString("en")} runs${FULL ? ", FULL_FUZZ" : ""})`,
    async () => {
      const byKind = new Map<string, number>();
      const accepted: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 80 }),
          fc.string({ minLength: 1, maxLength: 30 }),
          fc.constantFrom(...PROVIDERS),
          mutation,
          async (plaintext, userId, provider, m) => {
            const ctx = { plaintext, userId, provider };
            const { ciphertext } = await encryptSecret(ctx, keyring);
            const original = await decryptSecret({ ...ctx, ciphertext }, keyring);
            expect(original).toEqual({ ok: true, plaintext });
            const mutated = apply(ciphertext, ctx, m);
            expect(mutated.envelope !== ciphertext || mutated.ctx !== ctx).toBe(true);
            byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
            const result = await decryptSecret({ ...mutated.ctx, ciphertext: mutated.envelope }, keyring);
            if (result.ok) accepted.push(`${m.kind}: ${JSON.stringify(m)}`);
            expect(result.ok).toBe(false);
          },
        ),
        { numRuns: RUNS, seed: FULL ? undefined : 20261127 },
      );
      const total = [...byKind.values()].reduce((a, b) => a + b, 0);
      const kinds = [...byKind.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
      console.log(`Envelope tamper: ${total} mutations, ${accepted.length} accepted (${kinds})`);
      expect(accepted).toEqual([]);
      expect(byKind.size).toBe(11);
      expect(total).toBe(RUNS);
    },
    FULL ? 1_800_000 : 60_000,
  );
});
