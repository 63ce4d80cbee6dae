import { getProvider, isKnownModel, isProviderId, type ProviderId } from "@/lib/ai";
import type { VaultDeps } from "./deps";
import { defaultsSchema, parseInput, validationFailed } from "./schemas";

// The user's default provider and model for new chats.

export type AiDefaults = {
  provider: ProviderId;
  model: string | null;
  /** False when nothing is saved and these are the built-in defaults. */
  saved: boolean;
};

const FALLBACK: ProviderId = "openai";

export async function getDefaults(deps: VaultDeps, userId: string): Promise<AiDefaults> {
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

export async function setDefaults(deps: VaultDeps, userId: string, body: unknown): Promise<AiDefaults> {
  const { provider, model } = parseInput(defaultsSchema, body);
  if (!isKnownModel(provider, model)) {
    throw validationFailed(
      "model",
      `${model} is not a ${getProvider(provider).label} model this app offers.`,
    );
  }
  await deps.db.aiSettings.upsert({
    where: { userId },
    create: { userId, defaultProvider: provider, defaultModel: model },
    update: { defaultProvider: provider, defaultModel: model },
  });
  return { provider, model, saved: true };
}
