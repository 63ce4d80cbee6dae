// An OpenAI-compatible endpoint without a key (a local Ollama, LM Studio or vLLM) is stored like
// any other: its row holds this marker, encrypted, so rotation, re-entry and the "which key"
// rules need no special case. Every place that decrypts a stored key reads it through
// storedApiKey(), which turns the marker into "no key" (no Authorization header is sent).

export const KEYLESS_MARKER = "byok:keyless-endpoint";

export function storedApiKey(plaintext: string): string {
  return plaintext === KEYLESS_MARKER ? "" : plaintext;
}
