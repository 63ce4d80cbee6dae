// Server entry point. Edge code imports ./envelope and ./keyring directly (this module reaches
// node:fs through @/lib/env). Encryption takes the keyring explicitly: the process's is
// getKeyring(), which the key vault's default dependencies use.

export type { DecryptFailure, DecryptInput, DecryptResult, EncryptInput } from "./envelope";
export { decryptSecret, encryptSecret, envelopeKid } from "./envelope";
export { generateKeyringSpec, Keyring, KeyringError, parseKeyring } from "./keyring";
export { getKeyring, loadKeyring } from "./load-keyring";
