import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type MockUpstream, startMockUpstream } from "@/e2e/mock-upstream/server.mjs";
import type { ProviderId } from "@/lib/ai";
import { generateKeyringSpec, type Keyring, parseKeyring } from "@/lib/crypto";
import { createDbClient, type DbHandle } from "@/lib/db";
import { migrate } from "@/scripts/migrate.mjs";
import type { VaultDeps } from "./deps";
import { createKeyVault, type KeyVault } from "./vault";

// Shared set-up for the vault's tests: a fresh migrated PGlite directory, a throwaway keyring,
// and the real mock upstream that the provider base URLs point at. Not a test file itself.

export type Harness = {
  handle: DbHandle;
  keyring: Keyring;
  mock: MockUpstream;
  /** System keys the operator "configured", per provider; mutate between cases. */
  systemKeys: Partial<Record<ProviderId, string>>;
  deps: VaultDeps;
  vault: KeyVault;
  newUser(): Promise<string>;
  close(): Promise<void>;
};

let userSeq = 0;

export async function startHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "byok-keys-test-"));
  await migrate({ dataDir, log: () => {} });
  const handle = createDbClient({ dataDir, purpose: "lib/keys tests" });
  const mock = await startMockUpstream({ port: 0 });
  // lib/ai reads the providers' hosts from the environment; parse it again with the mock's.
  process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
  process.env.GROQ_BASE_URL = mock.baseUrls.groq;
  process.env.GOOGLE_GENERATIVE_AI_BASE_URL = mock.baseUrls.google;
  (globalThis as { __byokEnv?: unknown }).__byokEnv = undefined;

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
    vault: createKeyVault(deps),
    async newUser() {
      const u = await handle.prisma.user.create({
        data: { email: `user${++userSeq}-${Date.now()}-${Math.random().toString(36).slice(2)}@test.local` },
      });
      return u.id;
    },
    async close() {
      await mock.close();
      await handle.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
