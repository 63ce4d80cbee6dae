import "server-only";
import { db as processDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError, validationError } from "@/lib/errors";
import { cleanContext, type RequestContext } from "@/lib/keys/schemas";
import { hashToken, newToken } from "@/lib/tokens";
import { MAX_TOKENS_PER_USER } from "./limits";
import { type CreateTokenInput, createTokenSchema } from "./schemas";

// Personal API tokens for /v1: a script or an editor plugin runs on the user's stored keys
// without ever holding them. A token is `byok_` + 256 random bits (lib/tokens.ts); only its
// SHA-256 is stored, so a leaked database row cannot be used, and the plaintext exists exactly
// once: in the answer to the create call. The prefix makes a leaked token recognisable (secret
// scanners, lib/log.ts redaction).

export const TOKEN_PREFIX = "byok_";
/** The whole token as created: the prefix, then newToken()'s 43 base64url characters. */
export const API_TOKEN_PATTERN = /^byok_[A-Za-z0-9_-]{43}$/;

export type TokenDeps = { db: PrismaClient; now?: () => Date };
const defaults = (): TokenDeps => ({ db: processDb() });

/** What AI settings and the export show of a token: never the token or its hash. */
export type ApiTokenDto = {
  id: string;
  name: string;
  preview: string;
  readOnly: boolean;
  providers: string[];
  models: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** "active", or why it no longer works. */
  state: "active" | "expired" | "revoked";
};

const DTO_COLUMNS = {
  id: true,
  name: true,
  last4: true,
  readOnly: true,
  providers: true,
  models: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

type DtoRow = {
  id: string;
  name: string;
  last4: string;
  readOnly: boolean;
  providers: string[];
  models: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toDto(r: DtoRow, now: Date): ApiTokenDto {
  return {
    id: r.id,
    name: r.name,
    preview: `${TOKEN_PREFIX}…${r.last4}`,
    readOnly: r.readOnly,
    providers: r.providers,
    models: r.models,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: iso(r.lastUsedAt),
    expiresAt: iso(r.expiresAt),
    revokedAt: iso(r.revokedAt),
    state: r.revokedAt ? "revoked" : r.expiresAt && r.expiresAt <= now ? "expired" : "active",
  };
}

export type TokenAuditAction = "token.created" | "token.revoked" | "api.completion";

/** The user's audit log (AI settings → Your activity): `last4` is the token's. */
export async function writeTokenAudit(
  client: Pick<PrismaClient, "auditEvent">,
  userId: string,
  event: {
    action: TokenAuditAction;
    last4: string;
    provider?: string | null;
    detail?: Record<string, string | number | boolean | null>;
  },
  ctx?: RequestContext,
): Promise<void> {
  const { ip, userAgent } = cleanContext(ctx);
  await client.auditEvent.create({
    data: {
      userId,
      action: event.action,
      provider: event.provider ?? null,
      last4: event.last4,
      ip,
      userAgent,
      ...(event.detail ? { detail: event.detail } : {}),
    },
  });
}

/** Creates a token. The returned `token` is the only copy of it anywhere: show it once. */
export async function createApiToken(
  userId: string,
  input: CreateTokenInput,
  ctx?: RequestContext,
  deps: TokenDeps = defaults(),
): Promise<{ token: string; dto: ApiTokenDto }> {
  const parsed = createTokenSchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const data = parsed.data;
  const now = deps.now?.() ?? new Date();
  const { token: secret } = newToken();
  const token = `${TOKEN_PREFIX}${secret}`;
  const last4 = token.slice(-4);
  const expiresAt = data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null;
  // A model scoped to a provider the token may not use could never run: say so now.
  if (data.providers.length > 0) {
    const outside = data.models.find((m) => !data.providers.includes(m.split("/")[0] as never));
    if (outside) {
      throw new AppError("VALIDATION_FAILED", `${outside} is not one of the token's providers.`, {
        issues: [{ path: "models", message: `${outside} is not one of the token's providers.` }],
      });
    }
  }
  const row = await deps.db.$transaction(async (tx) => {
    const live = await tx.apiToken.count({ where: { userId, revokedAt: null } });
    if (live >= MAX_TOKENS_PER_USER) {
      throw new AppError("CONFLICT", `You have ${MAX_TOKENS_PER_USER} tokens. Revoke one you no longer use.`);
    }
    const created = await tx.apiToken.create({
      data: {
        userId,
        name: data.name,
        tokenHash: hashToken(token),
        last4,
        readOnly: data.readOnly,
        providers: [...new Set(data.providers)],
        models: [...new Set(data.models)],
        expiresAt,
      },
      select: DTO_COLUMNS,
    });
    await writeTokenAudit(
      tx,
      userId,
      { action: "token.created", last4, detail: { name: data.name, readOnly: data.readOnly } },
      ctx,
    );
    return created;
  });
  return { token, dto: toDto(row, now) };
}

export async function listApiTokens(userId: string, deps: TokenDeps = defaults()): Promise<ApiTokenDto[]> {
  const now = deps.now?.() ?? new Date();
  const rows = await deps.db.apiToken.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: DTO_COLUMNS,
  });
  return rows.map((r) => toDto(r, now));
}

/** Revokes one of the user's tokens; it stops working with the next request. */
export async function revokeApiToken(
  userId: string,
  id: string,
  ctx?: RequestContext,
  deps: TokenDeps = defaults(),
): Promise<ApiTokenDto> {
  const now = deps.now?.() ?? new Date();
  return deps.db.$transaction(async (tx) => {
    // Another user's token id answers exactly like a missing one.
    const row = await tx.apiToken.findFirst({ where: { id, userId }, select: DTO_COLUMNS });
    if (!row) throw new AppError("NOT_FOUND", "Token not found.");
    if (row.revokedAt) return toDto(row, now);
    const updated = await tx.apiToken.update({
      where: { id: row.id },
      data: { revokedAt: now },
      select: DTO_COLUMNS,
    });
    await writeTokenAudit(
      tx,
      userId,
      { action: "token.revoked", last4: row.last4, detail: { name: row.name } },
      ctx,
    );
    return toDto(updated, now);
  });
}

/** Who a verified token acts for, and what it may do. */
export type TokenCaller = {
  tokenId: string;
  userId: string;
  name: string;
  last4: string;
  readOnly: boolean;
  providers: string[];
  models: string[];
};

const unauthorized = (message: string) => new AppError("UNAUTHORIZED", message);

/**
 * The caller of a /v1 request, from its Authorization header only. Revoked, expired and unknown
 * tokens, and tokens of a disabled account, are refused alike; a deleted account's tokens are
 * gone with it (cascade). Checked against the database on every request, so a revocation or a
 * disabled account holds on every instance at once.
 */
export async function verifyApiToken(
  authorization: string | null,
  deps: TokenDeps = defaults(),
): Promise<TokenCaller> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) throw unauthorized("Send your API token as Authorization: Bearer byok_…");
  const token = m[1] as string;
  if (!API_TOKEN_PATTERN.test(token)) throw unauthorized("The API token is not valid.");
  const now = deps.now?.() ?? new Date();
  const row = await deps.db.apiToken.findFirst({
    where: {
      tokenHash: hashToken(token),
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      user: { disabledAt: null },
    },
    select: {
      id: true,
      userId: true,
      name: true,
      last4: true,
      readOnly: true,
      providers: true,
      models: true,
      lastUsedAt: true,
    },
  });
  if (!row) throw unauthorized("The API token is not valid, has expired or was revoked.");
  // "Last used" to the minute is all the list shows: one write a minute per token at most.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await deps.db.apiToken
      .updateMany({ where: { id: row.id }, data: { lastUsedAt: now } })
      .catch(() => undefined);
  }
  return {
    tokenId: row.id,
    userId: row.userId,
    name: row.name,
    last4: row.last4,
    readOnly: row.readOnly,
    providers: row.providers,
    models: row.models,
  };
}

/** May this token run `provider/model`? Read-only tokens run nothing. */
export function checkTokenScope(caller: TokenCaller, provider: string, model: string): void {
  if (caller.readOnly) {
    throw new AppError("FORBIDDEN", "This token is read-only: it may list models, not run them.");
  }
  if (caller.providers.length > 0 && !caller.providers.includes(provider)) {
    throw new AppError("FORBIDDEN", `This token may not use ${provider}.`);
  }
  if (caller.models.length > 0 && !caller.models.includes(`${provider}/${model}`)) {
    throw new AppError("FORBIDDEN", `This token may not use ${provider}/${model}.`);
  }
}

/** Whether a model would be listed for this token (no error: /v1/models filters). */
export function tokenAllows(caller: TokenCaller, provider: string, model: string): boolean {
  if (caller.providers.length > 0 && !caller.providers.includes(provider)) return false;
  return caller.models.length === 0 || caller.models.includes(`${provider}/${model}`);
}
