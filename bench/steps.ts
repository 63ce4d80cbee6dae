// The chat path's steps one by one, in this process, uncontended: what each costs on its own
// (wall p50 and CPU per call, all threads). The same library code the route runs, on a fresh
// embedded database. Complements `npm run bench -- --profile`, which cuts the real server's
// CPU profile into turns. Usage: npx tsx bench/steps.ts [--n 300]   (no ports, no server)
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { round, summarize } from "./lib/stats";

register("./lib/server-only-hook.mjs", import.meta.url);
process.env.RATE_LIMIT_CHAT_PER_MINUTE = "100000000";
delete process.env.REDIS_URL;
delete process.env.DATABASE_URL;

const n = Number(process.argv[process.argv.indexOf("--n") + 1]) || 300;
const { root } = await import("../scripts/lib/setup.mjs");
const { migrate } = await import("../scripts/migrate.mjs");
const { decode, encode } = await import("next-auth/jwt");
const { chatRequestSchema } = await import("@/lib/chat/schemas");
const { createDbClient } = await import("@/lib/db");
const { decryptSecret, generateKeyringSpec, parseKeyring } = await import("@/lib/crypto");
const { saveKey } = await import("@/lib/keys/save");
const { resolveKey } = await import("@/lib/keys/resolve");
const { checkChatRateLimit } = await import("@/lib/chat/rate-limit");
const { createLanguageModel } = await import("@/lib/ai/model");
const { claimTurn, finishAnswer } = await import("@/lib/chat/persist");
const { loadTurnContext } = await import("@/lib/chat/turn-context");

type Row = { step: string; perRequest: number; wallP50Us: number; cpuUs: number };
const rows: Row[] = [];

async function time(step: string, perRequest: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 30; i++) await fn(i); // warm: JIT, caches, prepared plans
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i + 30);
    walls.push((performance.now() - t) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  rows.push({
    step,
    perRequest,
    wallP50Us: round(summarize(walls).p50, 1),
    cpuUs: round((cpu.user + cpu.system) / n, 1),
  });
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "byok-steps-"));
try {
  await migrate({ dataDir, log: () => undefined });
  const handle = createDbClient({ dataDir, purpose: "bench/steps" });
  const db = handle.prisma;
  const keyring = parseKeyring(generateKeyringSpec("steps1"));
  const vaultDeps = { db, keyring, systemKey: () => undefined, allowPrivateBaseUrls: true };
  const userId = (await db.user.create({ data: { email: `steps-${randomUUID()}@example.test` } })).id;
  const apiKey = `sk-bench-${randomUUID().replaceAll("-", "")}`;
  await saveKey(userId, "openai", { apiKey }, undefined, vaultDeps);
  const row = await db.providerKey.findFirstOrThrow({ where: { userId }, select: { ciphertext: true } });

  // Session: API routes decode the cookie without re-issuing it, and a token that verified is
  // answered from memory for up to a minute (lib/auth/api-session.ts); the first request with
  // a token pays the decode. The re-encode row is what auth() would add (pages still do it).
  const secret = "bench-secret-0123456789abcdef0123456789abcdef";
  const salt = "authjs.session-token";
  const claims = { sub: userId, email: "a@example.test", name: null };
  const token = await encode({ token: claims, secret, salt });
  await time("session: decode cookie JWT (JWE, HKDF + thumbprint)", 0, () => decode({ token, secret, salt }));
  const memo = new Map([[token, { sub: userId }]]);
  await time("session: verified token from memory", 1, () => memo.get(token));
  await time("session: re-encode cookie JWT (auth() on pages)", 0, () =>
    encode({ token: claims, secret, salt }),
  );

  const body = JSON.stringify({
    id: randomUUID(),
    message: { id: randomUUID(), text: "Benchmark turn: answer with the usual mock reply, please." },
    provider: "openai",
    model: "gpt-5-mini",
  });
  await time("body: JSON + schema built per request + strict() + parse", 0, () => {
    const s = chatRequestSchema(4000);
    const strict: z.ZodType = s instanceof z.ZodObject ? s.strict() : s;
    return strict.safeParse(JSON.parse(body));
  });
  const cached = (() => {
    const s = chatRequestSchema(4000);
    return s instanceof z.ZodObject ? s.strict() : s;
  })();
  await time("body: same, schema built once", 1, () => cached.safeParse(JSON.parse(body)));

  await time("db: chat + message lookups, Prisma (before: 2 queries)", 0, async () => {
    await db.chat.findUnique({
      where: { userId_id: { userId, id: randomUUID() } },
      select: { userId: true },
    });
    await db.message.findUnique({
      where: { userId_id: { userId, id: randomUUID() } },
      select: { chatId: true },
    });
  });
  await time("key: resolveKey with its own row lookup (before)", 0, () =>
    resolveKey(userId, "openai", undefined, vaultDeps),
  );
  let keyRows: Awaited<ReturnType<typeof loadTurnContext>>["keyRows"] = [];
  await time("db: loadTurnContext, new chat (chat + message + key row: 1 query)", 1, async () => {
    const ctx = await loadTurnContext(
      db,
      { userId, chatId: randomUUID(), message: { id: randomUUID(), text: "hi" }, provider: "openai" },
      48_000,
    );
    keyRows = ctx.keyRows;
  });
  await time("key: resolveKey on the loaded rows (HKDF + AES-GCM)", 1, () =>
    resolveKey(userId, "openai", { rows: keyRows }, vaultDeps),
  );
  await time("key: decrypt alone (HKDF + AES-GCM)", 0, () =>
    decryptSecret({ ciphertext: row.ciphertext, userId, provider: "openai" }, keyring),
  );
  await time("rate limit: memory limiter", 1, () => checkChatRateLimit(userId, "personal"));
  await time("provider: createLanguageModel(openai)", 1, () =>
    createLanguageModel({ provider: "openai", apiKey, modelId: "gpt-5-mini" }),
  );
  const turns: { chatId: string; answerId: string }[] = [];
  await time("persist: claim (user message + STREAMING answer, 1 statement, before the provider)", 1, (i) => {
    const t = { chatId: `bench-chat-${i}-${randomUUID()}`, answerId: randomUUID() };
    turns.push(t);
    return claimTurn(db, {
      userId,
      chatId: t.chatId,
      title: "Benchmark turn",
      provider: "openai",
      model: "gpt-5-mini",
      keySource: "personal",
      message: { id: randomUUID(), text: "Benchmark turn" },
      answerId: t.answerId,
    });
  });
  await time("persist: finish the answer (1 statement, after the stream)", 1, (i) => {
    const t = turns[i % turns.length] as { chatId: string; answerId: string };
    return finishAnswer(db, {
      id: t.answerId,
      userId,
      chatId: t.chatId,
      content: "x".repeat(400),
      status: "COMPLETE",
      provider: "openai",
      model: "gpt-5-mini",
      keySource: "personal",
      usage: { inputTokens: 20, outputTokens: 64 },
    });
  });
  await handle.close();

  const width = Math.max(...rows.map((r) => r.step.length));
  console.log(`\n${"step".padEnd(width)}  ×/turn  wall p50 µs  CPU µs/call`);
  for (const r of rows) {
    console.log(
      `${r.step.padEnd(width)}  ${String(r.perRequest).padStart(6)}  ${String(r.wallP50Us).padStart(11)}  ${String(r.cpuUs).padStart(11)}`,
    );
  }
  // The claim runs before the upstream call, the answer's completion after the stream.
  const before = rows.filter((r) => r.perRequest > 0 && !r.step.startsWith("persist: finish"));
  const sum = before.reduce((s, r) => s + r.perRequest * r.wallP50Us, 0);
  console.log(
    `\nbefore the upstream call, as the route runs them: ~${(sum / 1000).toFixed(2)} ms wall per turn`,
  );
  const out = path.join(root, "bench/results");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, "steps.json"),
    `${JSON.stringify({ n, rows, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
