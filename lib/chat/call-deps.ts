import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { CreateModelInput } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import type { AppError } from "@/lib/errors";
import type { NextKey } from "@/lib/keys/failover";
import type { PreloadedKeys, ResolvedKey } from "@/lib/keys/resolve";
import type { RetryPolicy } from "./retry";

// What a chat turn (lib/chat/turn.ts) and a /v1 completion (lib/v1/deps.ts) both need to call a
// provider on the user's keys: one type, so a rule added to one path's key handling has its
// place in the other's deps too.

export type KeyOpts = { keyVersion?: number; keyId?: string };

export type ProviderCallDeps = {
  /** `preloaded`: the user's key rows as the request's lookup read them. */
  resolveKey: (userId: string, provider: ProviderId, preloaded?: PreloadedKeys) => Promise<ResolvedKey>;
  /**
   * The user's next key after the ones `tried` (several keys per provider), or null: a personal
   * key refused before the first token (invalid, quota, rate limit) passes the request on to it.
   */
  nextKey?: NextKey;
  markKeyInvalid: (userId: string, provider: ProviderId, opts?: KeyOpts) => Promise<unknown>;
  createModel: (input: CreateModelInput) => LanguageModelV4;
  mapError: (error: unknown, provider: string) => AppError;
  isRetryable: (error: unknown) => boolean;
  retryPolicy?: RetryPolicy;
  log?: (event: string, data: Record<string, unknown>) => void;
};
