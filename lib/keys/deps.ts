import { getProvider, type ProviderId } from "@/lib/ai";
import type { Keyring } from "@/lib/crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import type { LookupAll } from "./base-url";

// What the vault needs from the outside world, injectable so tests run it against their own
// database, keyring and system-key configuration while production uses the process defaults.

export type VaultDeps = {
  db: PrismaClient;
  /** Defaults to the process keyring (BYOK_MASTER_KEYS or the data dir's master.key). */
  keyring?: Keyring;
  /** The operator's key for a provider, if configured. */
  systemKey: (provider: ProviderId) => string | undefined;
  /** ALLOW_PRIVATE_BASE_URLS: local model servers (Ollama, LM Studio) on self-hosted installs. */
  allowPrivateBaseUrls: boolean;
  lookup?: LookupAll;
};

export function systemKeyFromEnv(provider: ProviderId): string | undefined {
  const name = getProvider(provider).systemKeyEnv;
  const value = name ? env()[name]?.trim() : undefined;
  return value || undefined;
}

export async function defaultDeps(): Promise<VaultDeps> {
  // Imported lazily so the pure parts of lib/keys load without opening a database.
  const { db } = await import("@/lib/db");
  return { db: db(), systemKey: systemKeyFromEnv, allowPrivateBaseUrls: env().ALLOW_PRIVATE_BASE_URLS };
}
