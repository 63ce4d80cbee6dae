// Every mock error body carries this marker and a key fragment, so tests can prove provider
// text never reaches the browser or the logs.

export const LEAKY_TEXT = "LEAKY-PROVIDER-TEXT";

/** Like OpenAI's "Incorrect API key provided: sk-abc***wxyz": the kind of echo we must never forward. */
export function keyFragment(key) {
  if (!key) return "(none)";
  return key.length > 12 ? `${key.slice(0, 8)}***${key.slice(-4)}` : `${key.slice(0, 3)}***`;
}
