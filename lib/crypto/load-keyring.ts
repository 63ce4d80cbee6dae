import { env, readDataSecret } from "@/lib/env";
import { type Keyring, KeyringError, parseKeyring } from "./keyring";

// The process keyring, from BYOK_MASTER_KEYS (+ BYOK_ACTIVE_KEY_ID) or, in embedded mode, from
// the `master.key` file generated into the data directory on first start. Node-only (reads a file):
// edge code passes a Keyring explicitly to ./envelope instead.

const g = globalThis as unknown as { __byokKeyring?: Keyring };

const HOW_TO =
  "Set BYOK_MASTER_KEYS=kid:BASE64_32_BYTES (generate one with " +
  `\`node -e "console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))"\`)`;

/** A bare base64 key in master.key (no "kid:") is read as kid "local". */
function fileSpec(content: string): string {
  return content.includes(":") ? content : `local:${content}`;
}

export function loadKeyring(): Keyring {
  const e = env();
  if (e.BYOK_MASTER_KEYS) {
    try {
      return parseKeyring(e.BYOK_MASTER_KEYS, e.BYOK_ACTIVE_KEY_ID);
    } catch (err) {
      throw new KeyringError(`BYOK_MASTER_KEYS: ${(err as Error).message}`);
    }
  }
  if (e.embedded) {
    const content = readDataSecret("master.key");
    if (content) {
      try {
        return parseKeyring(fileSpec(content), e.BYOK_ACTIVE_KEY_ID);
      } catch (err) {
        throw new KeyringError(`${e.dataDir}/master.key: ${(err as Error).message}`);
      }
    }
    throw new KeyringError(
      `No master key: BYOK_MASTER_KEYS is unset and ${e.dataDir}/master.key is missing. ${HOW_TO}`,
    );
  }
  throw new KeyringError(`No master key: BYOK_MASTER_KEYS is unset (required with DATABASE_URL). ${HOW_TO}`);
}

/** The process-wide keyring, parsed once and shared across Next bundles via globalThis. */
export function getKeyring(): Keyring {
  g.__byokKeyring ??= loadKeyring();
  return g.__byokKeyring;
}
