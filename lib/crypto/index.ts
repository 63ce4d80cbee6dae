import type { DecryptInput, DecryptResult, EncryptInput } from "./envelope";
import * as envelope from "./envelope";
import type { Keyring } from "./keyring";
import { getKeyring } from "./load-keyring";

// Server entry point: the keyring defaults to the process keyring. Edge code imports
// ./envelope and ./keyring directly (this module reaches node:fs through @/lib/env).

export type { DecryptFailure, DecryptInput, DecryptResult, EncryptInput } from "./envelope";
export { envelopeKid } from "./envelope";
export { generateKeyringSpec, Keyring, KeyringError, parseKeyring } from "./keyring";
export { getKeyring, loadKeyring } from "./load-keyring";

export function encryptSecret(
  input: EncryptInput,
  keyring?: Keyring,
): Promise<{ ciphertext: string; kid: string }> {
  return envelope.encryptSecret(input, keyring ?? getKeyring());
}

export function decryptSecret(input: DecryptInput, keyring?: Keyring): Promise<DecryptResult> {
  return envelope.decryptSecret(input, keyring ?? getKeyring());
}
