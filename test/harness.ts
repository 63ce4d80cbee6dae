import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type MockUpstream, startMockUpstream } from "@/e2e/mock-upstream/server.mjs";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import type { ProviderId } from "@/lib/ai/registry";
import type { TurnDeps } from "@/lib/chat/turn";
import { generateKeyringSpec, type Keyring, parseKeyring } from "@/lib/crypto";
import { createDbClient, type DbHandle } from "@/lib/db";
import type { VaultDeps } from "@/lib/keys/deps";
import type { KeyDto } from "@/lib/keys/dto";
import { markKeyInvalid, nextPersonalKey, resolveKey, touchKeyUsed } from "@/lib/keys/resolve";
import { saveKey } from "@/lib/keys/save";
import type { RequestContext } from "@/lib/keys/schemas";
import { migrate } from "@/scripts/migrate.mjs";
import { standInWithoutPostgres, tempDatabase } from "./postgres";

// The one set-up for tests that need the app's world: a fresh migrated database (a PGlite
// directory, or a temporary PostgreSQL database), a throwaway keyring, and the real mock upstream
// that the providers' base URLs point at. Tests call lib's functions with `deps` / `turnDeps()`
// as their last argument.

export type HarnessDb = "pglite" | "postgres";

export type Harness = {
  handle: DbHandle;
  keyring: Keyring;
  mock: MockUpstream;
  /** System keys the operator "configured", per provider; mutate between cases. */
  systemKeys: Partial<Record<ProviderId, string>>;
  /** The vault's dependencies on this harness. */
  deps: VaultDeps;
  /** A chat turn's dependencies on this harness (the real vault, SDKs and error mapping). */
  turnDeps(overrides?: Partial<TurnDeps>): TurnDeps;
  newUser(): Promise<string>;
  /** Saves an OpenAI-compatible key whose base URL is the mock's. */
  saveCompatibleKey(userId: string, apiKey: string, ctx?: RequestContext): Promise<KeyDto>;
  close(): Promise<void>;
};

/** lib/ai reads the providers' hosts from the environment; point them at `mock` and parse it again. */
export function pointEnvAt(mock: MockUpstream): void {
  process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
  process.env.GROQ_BASE_URL = mock.baseUrls.groq;
  process.env.GOOGLE_GENERATIVE_AI_BASE_URL = mock.baseUrls.google;
  (globalThis as { __byokEnv?: unknown }).__byokEnv = undefined;
}

let seq = 0;

export async function startHarness(
  opts: { db?: HarnessDb; retryAfterSeconds?: number; mock?: Parameters<typeof startMockUpstream>[0] } = {},
): Promise<Harness> {
  const pg = (opts.db ?? suiteDb()) === "postgres" ? await tempDatabase() : undefined;
  const dataDir = pg ? undefined : await mkdtemp(path.join(tmpdir(), "byok-test-"));
  await migrate({ ...(pg ? { databaseUrl: pg.url } : { dataDir }), log: () => {} });
  const handle = createDbClient(pg ? { databaseUrl: pg.url } : { dataDir, purpose: "tests" });
  const mock = await startMockUpstream({
    port: 0,
    ...(opts.retryAfterSeconds !== undefined ? { retryAfterSeconds: opts.retryAfterSeconds } : {}),
    ...opts.mock,
  });
  pointEnvAt(mock);

  const keyring = parseKeyring(generateKeyringSpec("test1"));
  const systemKeys: Partial<Record<ProviderId, string>> = {};
  const deps: VaultDeps = {
    db: handle.prisma,
    keyring,
    systemKey: (p) => systemKeys[p],
    allowPrivateBaseUrls: true, // the mock listens on loopback
  };
  return {
    handle,
    keyring,
    mock,
    systemKeys,
    deps,
    turnDeps: (overrides = {}) => ({
      db: handle.prisma,
      resolveKey: (userId, provider, preloaded) => resolveKey(userId, provider, preloaded, deps),
      nextKey: (userId, provider, preloaded, tried) =>
        nextPersonalKey(userId, provider, preloaded, tried, deps),
      markKeyInvalid: (userId, provider, o) => markKeyInvalid(userId, provider, o, deps),
      touchKeyUsed: (userId, provider, o) => touchKeyUsed(userId, provider, o, deps),
      createModel: createLanguageModel,
      mapError: toAppError,
      isRetryable,
      autoTitle: false,
      ...overrides,
    }),
    async newUser() {
      const u = await handle.prisma.user.create({
        data: { email: `user${++seq}-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local` },
      });
      return u.id;
    },
    saveCompatibleKey: (userId, apiKey, ctx) =>
      saveKey(userId, "compatible", { apiKey, baseUrl: mock.baseUrls.compatible }, ctx, deps),
    async close() {
      await mock.close();
      await handle.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

/** The database a suite runs on: PGlite, unless onPostgres() loaded it. */
function suiteDb(): HarnessDb {
  return process.env.BYOK_TEST_DATABASE === "postgres" ? "postgres" : "pglite";
}

/**
 * Runs a suite again on PostgreSQL: hand-written SQL must be accepted the same way by both
 * engines. One suite per file, because a harness points the providers at its own mock through
 * the environment.
 */
export async function onPostgres(name: string, load: () => Promise<unknown>): Promise<void> {
  if (standInWithoutPostgres(name)) return;
  process.env.BYOK_TEST_DATABASE = "postgres";
  await load();
}

// Tests under lib/ reach the migration script and the mock upstream through here only.
export {
  LEAKY_TEXT,
  type MockRequestLog,
  type MockUpstream,
  startMockUpstream,
} from "@/e2e/mock-upstream/server.mjs";
export { migrate } from "@/scripts/migrate.mjs";
