import type { ProviderId } from "@/lib/ai";
import * as audit from "./audit";
import type { VaultDeps } from "./deps";
import * as manage from "./manage";
import * as resolve from "./resolve";
import * as save from "./save";
import type { RequestContext } from "./schemas";
import * as settings from "./settings";
import * as test from "./test-key";

// Every operation bound to one set of dependencies. Each takes the user id first and scopes
// every query by it; `provider` may be untrusted input (unknown → NOT_FOUND).

export type SaveKeyRequest = {
  provider: string;
  apiKey: string;
  baseUrl?: string;
  label?: string;
  enabled?: boolean;
};

export function createKeyVault(deps: VaultDeps) {
  return {
    deps,
    listKeys: (userId: string) => manage.listKeys(deps, userId),
    getKey: (userId: string, provider: string) => manage.getKey(deps, userId, provider),
    saveKey: (userId: string, input: SaveKeyRequest, ctx?: RequestContext) => {
      const { provider, ...body } = input;
      return save.saveKey(deps, userId, provider, body, ctx);
    },
    testKey: (
      userId: string,
      provider: string,
      input: { apiKey?: string; baseUrl?: string } = {},
      ctx?: RequestContext,
    ) => test.testKey(deps, userId, provider, input, ctx),
    setKeyEnabled: (userId: string, provider: string, enabled: boolean, ctx?: RequestContext) =>
      manage.setKeyEnabled(deps, userId, provider, { enabled }, ctx),
    removeKey: (userId: string, provider: string, ctx?: RequestContext) =>
      manage.removeKey(deps, userId, provider, ctx),
    resolveKey: (userId: string, provider: string, preloaded?: { row: resolve.KeyRow | null }) =>
      resolve.resolveKey(deps, userId, provider, preloaded),
    markKeyInvalid: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) =>
      resolve.markKeyInvalid(deps, userId, provider, opts),
    touchKeyUsed: (userId: string, provider: ProviderId, opts?: { keyVersion?: number }) =>
      resolve.touchKeyUsed(deps, userId, provider, opts),
    usableProviders: (userId: string) => resolve.usableProviders(deps, userId),
    getDefaults: (userId: string) => settings.getDefaults(deps, userId),
    setDefaults: (userId: string, input: { provider: string; model: string }) =>
      settings.setDefaults(deps, userId, input),
    listAudit: (userId: string, opts?: { limit?: number; cursor?: string }) =>
      audit.listAudit(deps.db, userId, opts),
  };
}

export type KeyVault = ReturnType<typeof createKeyVault>;
