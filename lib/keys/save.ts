import { checkKeyFormat, getProvider, type ProviderId } from "@/lib/ai/registry";
import { encryptSecret } from "@/lib/crypto";
import { Prisma } from "@/lib/db/generated/client";
import { invalidField } from "@/lib/errors";
import { writeAudit } from "./audit";
import { checkBaseUrl } from "./base-url";
import { type VaultDeps, vaultDeps } from "./deps";
import { type KeyDto, PUBLIC_KEY_COLUMNS, toKeyDto } from "./dto";
import { KEYLESS_MARKER } from "./keyless";
import { maskKey } from "./mask";
import { refreshQuietly } from "./models";
import type { RequestContext, SaveKeyInput } from "./schemas";

// Add or replace a user's key for one provider. The plaintext is encrypted before the
// transaction starts (keeps it short on single-session PGlite) and never leaves this function.

/** Validates the key's shape and, for `compatible`, the base URL; returns the normalised base URL. */
export async function checkKeyInput(
  provider: ProviderId,
  input: { apiKey?: string; baseUrl?: string; label?: string },
  deps: Pick<VaultDeps, "allowPrivateBaseUrls" | "lookup">,
): Promise<string | null> {
  // Only an OpenAI-compatible endpoint may have no key (a local server that takes none).
  if (input.apiKey === undefined) {
    if (!getProvider(provider).requiresBaseUrl) throw invalidField("apiKey", "Enter an API key.");
  } else {
    const formatProblem = checkKeyFormat(provider, input.apiKey);
    if (formatProblem) throw invalidField("apiKey", formatProblem);
  }
  if (!getProvider(provider).requiresBaseUrl) {
    if (input.baseUrl !== undefined)
      throw invalidField("baseUrl", "Only OpenAI-compatible keys take a base URL.");
    if (input.label !== undefined) throw invalidField("label", "Only OpenAI-compatible keys take a name.");
    return null;
  }
  if (input.baseUrl === undefined)
    throw invalidField("baseUrl", "Enter the base URL of the OpenAI-compatible API.");
  return checkBaseUrl(input.baseUrl, { allowPrivate: deps.allowPrivateBaseUrls, lookup: deps.lookup });
}

/** `input` has passed saveKeySchema at the boundary; the rules that need the provider run here. */
export async function saveKey(
  userId: string,
  provider: ProviderId,
  input: SaveKeyInput,
  ctx?: RequestContext,
  deps: VaultDeps = vaultDeps(),
): Promise<KeyDto> {
  const baseUrl = await checkKeyInput(provider, input, deps);
  // A keyless endpoint stores the keyless marker, encrypted like a key (see keyless.ts).
  const apiKey = input.apiKey;
  const { prefix, last4 } = apiKey ? maskKey(apiKey, provider) : { prefix: "", last4: "" };
  const { ciphertext, kid } = await encryptSecret(
    { plaintext: apiKey ?? KEYLESS_MARKER, userId, provider },
    deps.keyring,
  );

  const row = await deps.db.$transaction(async (tx) => {
    const existing = await tx.providerKey.findUnique({
      where: { userId_provider: { userId, provider } },
      select: { id: true },
    });
    const material = {
      ciphertext,
      kid,
      prefix,
      last4,
      keyless: apiKey === undefined,
      baseUrl,
      label: baseUrl ? (input.label ?? null) : null,
    };
    // A replaced key is a new key: its test results and usage belong to the old one.
    const fresh = {
      status: "UNTESTED" as const,
      lastTestedAt: null,
      lastTestMs: null,
      lastUsedAt: null,
      models: Prisma.DbNull,
      modelsFetchedAt: null,
    };
    const saved = await tx.providerKey.upsert({
      where: { userId_provider: { userId, provider } },
      create: { userId, provider, ...material, ...fresh, enabled: input.enabled ?? true },
      update: {
        ...material,
        ...fresh,
        version: { increment: 1 },
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      },
      select: PUBLIC_KEY_COLUMNS,
    });
    await writeAudit(
      tx,
      userId,
      {
        action: existing ? "key.replaced" : "key.added",
        provider,
        last4,
        detail: {
          version: saved.version,
          ...(baseUrl ? { host: new URL(baseUrl).host } : {}),
          ...(apiKey ? {} : { keyless: true }),
        },
      },
      ctx,
    );
    return saved;
  });
  // The picker offers what the new key may use; the old key's list went with the old key.
  await refreshQuietly(userId, provider, deps);
  return toKeyDto(provider, row, !!deps.systemKey(provider));
}
