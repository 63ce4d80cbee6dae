import { type KeyTestResult, probeProviderKey } from "@/lib/ai/probe-key";
import { getProvider, type ProviderId } from "@/lib/ai/registry";
import type { Verdict } from "@/lib/ai/verdict";
import { decryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { consume, humanizeSeconds, limiter } from "@/lib/limits";
import { writeAudit } from "./audit";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import { storedApiKey } from "./keyless";
import { maskKey } from "./mask";
import { refreshQuietly } from "./models";
import { KEY_ORDER, type KeyTarget, noKeyFor, targetWhere, toTarget } from "./order";
import { displayStatus, type KeyDisplayStatus, statusForTest } from "./policy";
import { markNeedsReentry } from "./reentry";
import { checkKeyInput } from "./save";
import type { RequestContext, TestKeyInput } from "./schemas";

// A key test makes one real, cheap call to the provider. Testing a typed key saves nothing;
// testing the stored key records the outcome on it. A failed test never touches key material.

export type KeyTestReport = {
  result: KeyTestResult;
  ms: number;
  /** The stored key's status after the test; null when a typed (unsaved) key was tested. */
  status: KeyDisplayStatus | null;
  tested: "stored" | "supplied";
  /** Seconds, when the provider said when to retry (rate_limited). */
  retryAfter?: number;
  /** A failed test: the code, words and action the chat shows for the same provider answer. */
  verdict?: Verdict;
};

// Each test is an outbound request with someone's key: cap them so the server is not a free
// oracle for checking leaked keys in bulk.
const TEST_LIMIT = { points: 20, durationSec: 60 };

async function spendTestBudget(userId: string) {
  limiter("key-test", TEST_LIMIT);
  const r = await consume("key-test", userId);
  if (!r.ok) {
    throw new AppError(
      "RATE_LIMITED",
      `Too many key tests. Try again in ${humanizeSeconds(r.retryAfterSec)}.`,
      {
        retryAfter: r.retryAfterSec,
      },
    );
  }
}

/**
 * Tests a typed key (`input.apiKey`, with `input.baseUrl` for `compatible`) or, without one, the
 * stored key at its stored base URL: the STORED key is never sent to a newly typed URL, which
 * would let anyone holding the session exfiltrate it (testKeySchema refuses that input).
 */
export async function testKey(
  userId: string,
  target: ProviderId | KeyTarget,
  input: TestKeyInput = {},
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyTestReport> {
  const t = toTarget(target);
  if (input.apiKey !== undefined || input.keyless)
    return testSupplied(deps, userId, t, input.apiKey, input.baseUrl, ctx);
  return testStored(deps, userId, t, ctx);
}

async function testSupplied(
  deps: VaultDeps,
  userId: string,
  t: KeyTarget,
  apiKey: string | undefined,
  typedBaseUrl: string | undefined,
  ctx?: RequestContext,
): Promise<KeyTestReport> {
  const provider = t.provider;
  let baseUrlInput = typedBaseUrl;
  if (baseUrlInput === undefined && getProvider(provider).requiresBaseUrl) {
    const stored = await deps.db.providerKey.findFirst({
      where: targetWhere(userId, t),
      orderBy: [...KEY_ORDER],
      select: { baseUrl: true },
    });
    baseUrlInput = stored?.baseUrl ?? undefined;
  }
  const baseUrl = await checkKeyInput(provider, { apiKey, baseUrl: baseUrlInput }, deps);
  await spendTestBudget(userId);
  const { result, ms, retryAfter, verdict } = await probeProviderKey({
    provider,
    apiKey: apiKey ?? "",
    ...(baseUrl ? { baseUrl } : {}),
  });
  await writeAudit(
    deps.db,
    userId,
    {
      action: "key.tested",
      provider,
      last4: apiKey ? maskKey(apiKey, provider).last4 : null,
      detail: { result, ms, saved: false },
    },
    ctx,
  );
  return {
    result,
    ms,
    status: null,
    tested: "supplied",
    ...(retryAfter ? { retryAfter } : {}),
    ...(verdict ? { verdict } : {}),
  };
}

async function testStored(
  deps: VaultDeps,
  userId: string,
  t: KeyTarget,
  ctx?: RequestContext,
): Promise<KeyTestReport> {
  const provider = t.provider;
  const row = await deps.db.providerKey.findFirst({
    where: targetWhere(userId, t),
    orderBy: [...KEY_ORDER],
    select: {
      id: true,
      ciphertext: true,
      baseUrl: true,
      version: true,
      last4: true,
      enabled: true,
      updatedAt: true,
    },
  });
  if (!row) throw noKeyFor(t);
  const decrypted = await decryptSecret({ ciphertext: row.ciphertext, userId, provider }, deps.keyring);
  if (!decrypted.ok) {
    await markNeedsReentry(userId, provider, row, decrypted.detail, ctx, deps);
    throw new AppError("KEY_NEEDS_REENTRY");
  }
  // Re-checked at use: DNS answers and the operator's private-network setting can change.
  const baseUrl = row.baseUrl
    ? await checkBaseUrl(row.baseUrl, { allowPrivate: deps.allowPrivateBaseUrls, lookup: deps.lookup })
    : undefined;
  await spendTestBudget(userId);
  // The model list is refreshed alongside the probe (same key, same base URL), not after it.
  const [{ result, ms, retryAfter, verdict }] = await Promise.all([
    probeProviderKey({
      provider,
      apiKey: storedApiKey(decrypted.plaintext),
      ...(baseUrl ? { baseUrl } : {}),
    }),
    refreshQuietly(userId, { provider, id: row.id }, deps),
  ]);
  const status = statusForTest(result);
  await deps.db.$transaction(async (tx) => {
    // Compare-and-set on version: if the key was replaced while the test ran, this result
    // belongs to the old key and must not be stamped on the new one. updatedAt is kept: a test
    // is not a change to the key.
    await tx.providerKey.updateMany({
      where: { id: row.id, userId, version: row.version },
      data: { status, lastTestedAt: new Date(), lastTestMs: Math.round(ms), updatedAt: row.updatedAt },
    });
    await writeAudit(
      tx,
      userId,
      {
        action: "key.tested",
        provider,
        last4: row.last4,
        detail: { result, ms: Math.round(ms), saved: true, keyId: row.id },
      },
      ctx,
    );
  });
  return {
    result,
    ms,
    status: displayStatus({ enabled: row.enabled, status }),
    tested: "stored",
    ...(retryAfter ? { retryAfter } : {}),
    ...(verdict ? { verdict } : {}),
  };
}
