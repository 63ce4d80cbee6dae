import "server-only";
import { getProvider, type ProviderId } from "@/lib/ai/registry";
import { getKeyring, type Keyring } from "@/lib/crypto";
import { db } from "@/lib/db";
import type { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import type { LookupAll } from "./base-url";

// What the vault needs from the outside world. Every vault function takes it as its optional
// last argument: production code leaves it out (the process's database, keyring and
// environment), tests pass their own database, keyring and system-key configuration.

export type VaultDeps = {
  db: PrismaClient;
  /** The process's: BYOK_MASTER_KEYS or the data dir's master.key. */
  keyring: Keyring;
  /** The operator's key for a provider, if configured. */
  systemKey: (provider: ProviderId) => string | undefined;
  /** ALLOW_PRIVATE_BASE_URLS: local model servers (Ollama, LM Studio) on self-hosted installs. */
  allowPrivateBaseUrls: boolean;
  lookup?: LookupAll;
};

function systemKeyFromEnv(provider: ProviderId): string | undefined {
  const name = getProvider(provider).systemKeyEnv;
  const value = name ? env()[name]?.trim() : undefined;
  return value || undefined;
}

/** The process's vault dependencies; db() opens the database on first use, not on import. */
export function vaultDeps(): VaultDeps {
  return {
    db: db(),
    keyring: getKeyring(),
    systemKey: systemKeyFromEnv,
    allowPrivateBaseUrls: env().ALLOW_PRIVATE_BASE_URLS,
  };
}
