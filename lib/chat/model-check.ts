import { isKnownModel, type ProviderId } from "@/lib/ai/registry";
import { invalidField } from "@/lib/errors";
import { isListedModel } from "@/lib/keys/models";
import type { Db } from "./persist";

// A chat may run on a model of our registry, or on one the provider listed for the user's own
// key (lib/keys/models.ts). The request schema only checks the id's shape: this needs the
// database, and it reads it only for ids the registry does not know.

export const MODEL_NOT_OFFERED = "This model is not offered for the chosen provider.";

export async function checkModelOffered(
  db: Db,
  userId: string,
  provider: ProviderId,
  model: string,
  /** Only these keys' lists count (the OpenAI-compatible endpoint the chat runs on). */
  keyIds?: readonly string[],
): Promise<void> {
  if (isKnownModel(provider, model)) return;
  if (await isListedModel(userId, provider, model, { db }, keyIds)) return;
  throw invalidField("model", MODEL_NOT_OFFERED);
}
