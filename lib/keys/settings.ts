import { getProvider, isKnownModel, isProviderId, type ProviderId } from "@/lib/ai/registry";
import { type VaultDeps, vaultDeps } from "./deps";
import type { DefaultsInput } from "./schemas";

// The user's default provider and model for new chats.

export type AiDefaults = {
  provider: ProviderId;
  model: string | null;
  /** False when nothing is saved and these are the built-in defaults. */
  saved: boolean;
};

const FALLBACK: ProviderId = "openai";

export async function getDefaults(userId: string, deps: VaultDeps = vaultDeps()): Promise<AiDefaults> {
  const row = await deps.db.aiSettings.findUnique({
    where: { userId },
    select: { defaultProvider: true, defaultModel: true },
  });
  const provider = row?.defaultProvider;
  // A model dropped from the catalogue since it was saved falls back to the provider's default.
  if (provider && isProviderId(provider)) {
    const model = row.defaultModel && isKnownModel(provider, row.defaultModel) ? row.defaultModel : null;
    return { provider, model: model ?? getProvider(provider).defaultModel, saved: true };
  }
  return { provider: FALLBACK, model: getProvider(FALLBACK).defaultModel, saved: false };
}

/** `input` has passed defaultsSchema (a provider and one of its models) at the boundary. */
export async function setDefaults(
  userId: string,
  { provider, model }: DefaultsInput,
  deps: VaultDeps = vaultDeps(),
): Promise<AiDefaults> {
  await deps.db.aiSettings.upsert({
    where: { userId },
    create: { userId, defaultProvider: provider, defaultModel: model },
    update: { defaultProvider: provider, defaultModel: model },
  });
  return { provider, model, saved: true };
}

/** The user's default instructions (system prompt) for chats that set none; null when none. */
export async function getSystemPrompt(userId: string, deps: VaultDeps = vaultDeps()): Promise<string | null> {
  const row = await deps.db.aiSettings.findUnique({ where: { userId }, select: { systemPrompt: true } });
  return row?.systemPrompt || null;
}

/** `systemPrompt` has passed systemPromptSchema at the boundary; "" clears it. */
export async function setSystemPrompt(
  userId: string,
  systemPrompt: string,
  deps: VaultDeps = vaultDeps(),
): Promise<string | null> {
  const value = systemPrompt || null;
  await deps.db.aiSettings.upsert({
    where: { userId },
    create: { userId, systemPrompt: value },
    update: { systemPrompt: value },
  });
  return value;
}
