// The only view of a provider key that ever leaves the server: a documented public prefix plus at
// most the last 4 characters. Short or unusual keys reveal less, never more.

/** Documented public prefixes per provider, longest first so `sk-proj-` wins over `sk-`. */
const KEY_PREFIXES: Record<string, readonly string[]> = {
  openai: ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"],
  groq: ["gsk_"],
  google: ["AIza"],
};

const ALL_PREFIXES = [...new Set(Object.values(KEY_PREFIXES).flat())].sort((a, b) => b.length - a.length);

/** Below this many characters after the prefix the tail stays hidden too (it would be most of it). */
const MIN_SECRET_FOR_LAST4 = 12;

export type MaskedKey = { prefix: string; last4: string; preview: string };

export function maskKey(apiKey: string, provider?: string): MaskedKey {
  const key = typeof apiKey === "string" ? apiKey.trim() : "";
  const candidates = provider ? (KEY_PREFIXES[provider] ?? []) : ALL_PREFIXES;
  const prefix = candidates.find((p) => key.startsWith(p) && key.length > p.length) ?? "";
  // Code points, not UTF-16 units, so a surrogate pair is never split.
  const rest = [...key.slice(prefix.length)];
  const last4 =
    rest.length >= MIN_SECRET_FOR_LAST4 && /^[\x21-\x7e]{4}$/.test(rest.slice(-4).join(""))
      ? rest.slice(-4).join("")
      : "";
  return { prefix, last4, preview: `${prefix}…${last4}` };
}
