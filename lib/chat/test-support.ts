import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ParseResult } from "@ai-sdk/provider-utils";
import { parseJsonEventStream, type UIMessageChunk, uiMessageChunkSchema } from "ai";
import { type MockUpstream, startMockUpstream } from "@/e2e/mock-upstream/server.mjs";
import type { ProviderId } from "@/lib/ai";
import { isRetryable, toAppError } from "@/lib/ai/errors";
import { createLanguageModel } from "@/lib/ai/model";
import { generateKeyringSpec, parseKeyring } from "@/lib/crypto";
import { createDbClient, type DbHandle } from "@/lib/db";
import { createKeyVault, type KeyVault } from "@/lib/keys/vault";
import { standInWithoutPostgres, tempDatabase } from "@/scripts/db/test-postgres";
import { migrate } from "@/scripts/migrate.mjs";
import type { TurnDeps } from "./turn";

// Shared set-up for lib/chat's tests (not a test file): a fresh migrated database, the real key
// vault with a throwaway keyring, and the real mock upstream the providers point at. The
// database is a PGlite directory, or a temporary PostgreSQL database when CHAT_TEST_DATABASE
// is "postgres" (the *.postgres.test.ts files run the same suites that way: onPostgres).

export type ChatHarness = {
  handle: DbHandle;
  mock: MockUpstream;
  vault: KeyVault;
  systemKeys: Partial<Record<ProviderId, string>>;
  deps(overrides?: Partial<TurnDeps>): TurnDeps;
  newUser(): Promise<string>;
  close(): Promise<void>;
};

let seq = 0;

export async function startChatHarness(opts: { retryAfterSeconds?: number } = {}): Promise<ChatHarness> {
  const onPostgres = process.env.CHAT_TEST_DATABASE === "postgres";
  const pg = onPostgres ? await tempDatabase() : undefined;
  const dataDir = pg ? undefined : await mkdtemp(path.join(tmpdir(), "byok-chat-test-"));
  await migrate({ ...(pg ? { databaseUrl: pg.url } : { dataDir }), log: () => {} });
  const handle = createDbClient(pg ? { databaseUrl: pg.url } : { dataDir, purpose: "lib/chat tests" });
  const mock = await startMockUpstream({ port: 0, retryAfterSeconds: opts.retryAfterSeconds ?? 1 });
  // lib/ai reads the providers' hosts from the environment; parse it again with the mock's.
  process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
  process.env.GROQ_BASE_URL = mock.baseUrls.groq;
  process.env.GOOGLE_GENERATIVE_AI_BASE_URL = mock.baseUrls.google;
  (globalThis as { __byokEnv?: unknown }).__byokEnv = undefined;

  const systemKeys: Partial<Record<ProviderId, string>> = {};
  const vault = createKeyVault({
    db: handle.prisma,
    keyring: parseKeyring(generateKeyringSpec("chat1")),
    systemKey: (p) => systemKeys[p],
    allowPrivateBaseUrls: true,
  });
  return {
    handle,
    mock,
    vault,
    systemKeys,
    deps: (overrides = {}) => ({
      db: handle.prisma,
      resolveKey: vault.resolveKey,
      markKeyInvalid: vault.markKeyInvalid,
      touchKeyUsed: vault.touchKeyUsed,
      createModel: createLanguageModel,
      mapError: toAppError,
      isRetryable,
      autoTitle: false,
      ...overrides,
    }),
    async newUser() {
      const u = await handle.prisma.user.create({ data: { email: `chat${++seq}-${Date.now()}@test.local` } });
      return u.id;
    },
    async close() {
      await mock.close();
      await handle.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

/**
 * Reads a UI message stream (SSE bytes) the way `useChat` does: the SDK's own event-stream
 * parser and UI chunk schema. A chunk the browser would reject fails the test.
 */
export function uiChunks(stream: ReadableStream<Uint8Array>): ReadableStream<UIMessageChunk> {
  return parseJsonEventStream({ stream, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<ParseResult<UIMessageChunk>, UIMessageChunk>({
      transform(result, controller) {
        if (!result.success) throw result.error;
        controller.enqueue(result.value);
      },
    }),
  );
}

/** Reads a UI message stream to its end. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<UIMessageChunk[]> {
  const out: UIMessageChunk[] = [];
  for await (const c of uiChunks(stream) as unknown as AsyncIterable<UIMessageChunk>) out.push(c);
  return out;
}

export const textOf = (chunks: UIMessageChunk[]) =>
  chunks.map((c) => (c.type === "text-delta" ? c.delta : "")).join("");

/** A client-style id (the browser generates these). */
export const clientId = (tag = "m") =>
  `${tag}${Date.now().toString(36)}${(++seq).toString(36)}xxxxxx`.slice(0, 40);

/**
 * A pass-through proxy in front of the mock whose first `failFirst` generation requests get the
 * mock's server-error scenario (via its x-mock-scenario header): a provider that recovers.
 */
export async function flakyProxy(
  target: string,
  failFirst: number,
): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    if (req.method === "POST" && n++ < failFirst) headers["x-mock-scenario"] = "server-error";
    const up = http.request(`${target}${req.url}`, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * Runs a suite of this folder again on PostgreSQL: the turn's lookups and writes are
 * hand-written SQL, and both engines must accept every statement the same way. One suite per
 * file, because a harness points the providers at its own mock through the environment.
 */
export async function onPostgres(name: string, load: () => Promise<unknown>): Promise<void> {
  if (standInWithoutPostgres(name)) return;
  process.env.CHAT_TEST_DATABASE = "postgres";
  await load();
}
