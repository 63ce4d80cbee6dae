import "server-only";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import type { KeyOpts, ProviderCallDeps } from "@/lib/chat/call-deps";
import type { EndpointModels } from "@/lib/chat/picker";
import { checkChatRateLimit } from "@/lib/chat/rate-limit";
import { db as processDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { endpointModels } from "@/lib/keys/models";
import type { KeySource } from "@/lib/keys/policy";
import {
  type KeyRow,
  loadKeyRows,
  markKeyInvalid,
  nextPersonalKey,
  resolveKey,
  touchKeyUsed,
  type UsableProvider,
  usableProviders,
} from "@/lib/keys/resolve";
import { consume, humanizeSeconds, limiter } from "@/lib/limits";
import { log } from "@/lib/log";

// What a /v1 request needs from the outside world, as small functions: key resolution, model
// creation, rate limits and budgets are the chat's own (lib/keys, lib/ai, lib/chat/rate-limit,
// lib/operator via resolveKey), so a rule added there (key failover, spending limits) holds for
// /v1 by replacing one entry here. Tests pass their own database and the mock upstream.

export type V1Deps = ProviderCallDeps & {
  db: PrismaClient;
  /** The user's keys for the provider in order; with nextKey, a refused key passes to the next. */
  loadKeys?: (userId: string, provider: ProviderId) => Promise<KeyRow[]>;
  touchKeyUsed: (userId: string, provider: ProviderId, opts?: KeyOpts) => Promise<unknown>;
  /** The chat's per-user limits (and the stricter one on system keys). */
  checkUserRateLimit: (userId: string, source: KeySource) => Promise<void>;
  /** Each token's own budget: a runaway script stops before it spends the user's whole limit. */
  checkTokenRateLimit: (tokenId: string) => Promise<void>;
  usableProviders: (userId: string) => Promise<UsableProvider[]>;
  /** The user's OpenAI-compatible endpoints with their cached model lists (GET /v1/models). */
  endpointModels?: (userId: string) => Promise<EndpointModels[]>;
};

export async function checkTokenRateLimit(tokenId: string): Promise<void> {
  limiter("v1-token", { points: env().RATE_LIMIT_API_TOKEN_PER_MINUTE, durationSec: 60 });
  const res = await consume("v1-token", tokenId);
  if (!res.ok) {
    throw new AppError(
      "RATE_LIMITED",
      `This token is sending requests too fast. Try again in ${humanizeSeconds(res.retryAfterSec)}.`,
      { retryAfter: res.retryAfterSec },
    );
  }
}

export function v1Deps(): V1Deps {
  return {
    db: processDb(),
    resolveKey: (userId, provider, preloaded) => resolveKey(userId, provider, preloaded),
    loadKeys: (userId, provider) => loadKeyRows(userId, provider),
    nextKey: (userId, provider, preloaded, tried) => nextPersonalKey(userId, provider, preloaded, tried),
    createModel: createLanguageModel,
    mapError: toAppError,
    isRetryable,
    markKeyInvalid,
    touchKeyUsed,
    checkUserRateLimit: checkChatRateLimit,
    checkTokenRateLimit,
    usableProviders: (userId) => usableProviders(userId),
    endpointModels: (userId) => endpointModels(userId),
    log: (event, data) => log.info(event, data),
  };
}
