import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { saveKey } from "@/lib/keys/save";
import { linkToShutdown } from "@/lib/shutdown";
import { clientId, uiChunks } from "@/test/chat-stream";
import { type Harness, type MockRequestLog, startHarness } from "@/test/harness";
import { listMessages } from "./history";
import { startTurn, type TurnInput } from "./turn";

vi.mock("server-only", () => ({}));

// The turn storm: the real startTurn, a real database and the mock upstream over HTTP, with
// requests cut at random points (an abort before or after the first token, a reader that stops
// and cancels), concurrent duplicate pairs (the same answer id twice), multi-turn chats whose
// next turn starts while the cut one is still finishing, regenerated answers (versions), late
// resends of finished answers, and a shutdown that drains open turns (the "restart").
// Checked at the end, from the database and the mock's request log:
//   every answer id sent has exactly one stored answer, under its user message (0 lost);
//   no user message or answer twice, no provider call beyond one per answer id (0 duplicated);
//   each multi-turn chat reads in the order it was sent, each user message followed by its
//   newest answer (0 out of order); stored text = what the client saw (cut: starts with it);
//   one usage event per COMPLETE answer.
// Default size runs inside `npm test`; STORM_FULL=1 runs the full size. STORM_SEED repeats a run.

const FULL = process.env.STORM_FULL === "1";
const SIZE = FULL
  ? { singles: 400, pairs: 220, chats: 110, turns: 4, restart: 40, concurrency: 24 }
  : { singles: 200, pairs: 100, chats: 50, turns: 4, restart: 16, concurrency: 16 };
const SEED = Number(process.env.STORM_SEED ?? Date.now() % 1_000_000);

// mulberry32: a small seeded generator, so a failing run can be repeated with STORM_SEED.
let state = SEED;
function rand(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

type Cut =
  | { kind: "none" }
  | { kind: "abort-at"; ms: number }
  | { kind: "abort-after"; chunks: number }
  | { kind: "cancel-after"; chunks: number }
  | { kind: "stall" };

function randomCut(): Cut {
  const r = rand();
  if (r < 0.3) return { kind: "none" };
  if (r < 0.5) return { kind: "abort-at", ms: Math.floor(rand() * 15) };
  if (r < 0.75) return { kind: "abort-after", chunks: Math.floor(rand() * 10) };
  return { kind: "cancel-after", chunks: Math.floor(rand() * 10) };
}

type Sent = {
  phase: string;
  userId: string;
  chatId: string;
  messageId: string;
  answerId: string;
  text: string;
  outcome: "stream" | "replay" | "in-progress" | "refused";
  code?: string;
  seen: string;
  /** The client read the stream to its end (a finish, abort or error chunk). */
  readToEnd: boolean;
  ended?: string;
};

let h: Harness;
const sent: Sent[] = [];
const calls: MockRequestLog[] = [];
const counts: Record<string, number> = {};

// A fresh PGlite directory takes a while on a busy machine.
beforeAll(async () => {
  h = await startHarness({ mock: { tokens: 12, tokenDelayMs: 1 } });
}, 180_000);
afterAll(() => h?.close());

async function userWithKey(key: string) {
  const userId = await h.newUser();
  await saveKey(userId, "openai", { apiKey: key }, undefined, h.deps);
  return userId;
}

/** One request as a browser makes it, cut as told; recorded in `sent`. */
async function request(
  phase: string,
  t: { userId: string; chatId: string; messageId: string; answerId: string; text: string },
  cut: Cut,
  opts: {
    regenerate?: boolean;
    signal?: (s: AbortSignal) => { signal: AbortSignal; release(): void };
    /** Called once startTurn settled: the server has claimed the answer (or refused). */
    onStart?: () => void;
  } = {},
): Promise<Sent> {
  const ac = new AbortController();
  const link = opts.signal?.(ac.signal);
  const { userId, chatId, messageId, answerId, text } = t;
  const rec: Sent = {
    phase,
    userId,
    chatId,
    messageId,
    answerId,
    text,
    outcome: "stream",
    seen: "",
    readToEnd: false,
  };
  sent.push(rec);
  if (cut.kind === "abort-at") setTimeout(() => ac.abort(), cut.ms);
  const input: TurnInput = {
    userId: t.userId,
    chatId: t.chatId,
    message: { id: t.messageId, text: opts.regenerate ? "" : t.text },
    provider: "openai",
    model: "gpt-5-mini",
    answerId: t.answerId,
    ...(opts.regenerate ? { regenerate: true } : {}),
  };
  let handle: Awaited<ReturnType<typeof startTurn>>;
  try {
    handle = await startTurn(input, link?.signal ?? ac.signal, h.turnDeps());
  } catch (e) {
    link?.release();
    opts.onStart?.();
    if (!(e instanceof AppError)) throw e;
    rec.outcome = e.code === "TURN_IN_PROGRESS" ? "in-progress" : "refused";
    rec.code = `${e.code} ${e.status}`;
    return rec;
  }
  opts.onStart?.();
  void handle.done.then(link?.release, link?.release);
  rec.outcome = handle.replayed ? "replay" : "stream";
  const reader = uiChunks(handle.stream).getReader();
  let n = 0;
  try {
    for (;;) {
      if (cut.kind === "cancel-after" && n >= cut.chunks) {
        await reader.cancel();
        break;
      }
      if (cut.kind === "abort-after" && n === cut.chunks) ac.abort();
      if (cut.kind === "stall" && n >= 3) break;
      const { done, value } = await reader.read();
      if (done) {
        rec.readToEnd = true;
        break;
      }
      n++;
      rec.ended = value.type;
      if (value.type === "text-delta") rec.seen += value.delta;
    }
  } catch {
    // A stream that errors counts as cut where it stopped.
  }
  if (cut.kind !== "stall") await handle.done;
  else (rec as Sent & { stalled?: () => Promise<void> }).stalled = () => reader.cancel();
  return rec;
}

/** Runs `jobs` with at most `n` in flight. */
async function pool(jobs: (() => Promise<unknown>)[], n: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) await (jobs[next++] as () => Promise<unknown>)();
    }),
  );
}

function collectCalls() {
  calls.push(...h.mock.requests().filter((r) => r.kind === "generate"));
  h.mock.reset();
}

const fresh = (userId: string, tag: string) => {
  const messageId = clientId("m");
  return {
    userId,
    chatId: clientId("c"),
    messageId,
    answerId: clientId("a"),
    text: `storm ${tag} ${messageId}`,
  };
};

describe("turn storm", () => {
  it(`cuts, duplicates, overlapping turns and a restart: exactly once (${FULL ? "full" : "default"} size)`, {
    timeout: FULL ? 1_800_000 : 300_000,
  }, async () => {
    console.log(`storm seed ${SEED} (STORM_SEED=${SEED} repeats it)`);
    const users = await Promise.all(
      Array.from({ length: 8 }, (_, i) => userWithKey(`sk-proj-storm${i}Key0000${40 + i}`)),
    );

    // 1. Single requests, each a new chat, cut at random points.
    await pool(
      Array.from(
        { length: SIZE.singles },
        (_, i) => () => request("single", fresh(pick(users), `s${i}`), randomCut()),
      ),
      SIZE.concurrency,
    );
    collectCalls();

    // 2. Concurrent duplicate pairs: the same chat, message and answer id twice at once (a
    // double submit, a retry racing its original); some pairs get a late third copy.
    const late: (() => Promise<unknown>)[] = [];
    await pool(
      Array.from({ length: SIZE.pairs }, (_, i) => async () => {
        const t = fresh(pick(users), `p${i}`);
        await Promise.all([request("pair", t, randomCut()), request("pair", t, randomCut())]);
        if (rand() < 0.3) late.push(() => request("late", t, { kind: "none" }));
      }),
      SIZE.concurrency,
    );
    await pool(late, SIZE.concurrency);
    collectCalls();

    // 3. Multi-turn chats: each next turn starts as soon as the server answered the previous
    // request (cut or not), while the cut one is still finishing; now and then the latest
    // message is answered again (a new version) or an earlier request is resent.
    const chats: { userId: string; chatId: string; order: string[] }[] = [];
    await pool(
      Array.from({ length: SIZE.chats }, (_, i) => async () => {
        const userId = pick(users);
        const chatId = clientId("c");
        const chat = { userId, chatId, order: [] as string[] };
        chats.push(chat);
        const finishing: Promise<unknown>[] = [];
        let last: ReturnType<typeof fresh> | undefined;
        for (let k = 0; k < SIZE.turns; k++) {
          const t = { ...fresh(userId, `c${i}t${k}`), chatId };
          chat.order.push(t.messageId);
          // Not awaited: the next turn overlaps this one's end.
          let started: () => void = () => undefined;
          const claimed = new Promise<void>((r) => {
            started = r;
          });
          const p = request("multi", t, randomCut(), { onStart: started });
          finishing.push(p);
          await claimed;
          if (last && rand() < 0.2) finishing.push(request("resend", last, { kind: "none" }));
          if (rand() < 0.2) {
            await p;
            const again = { ...t, answerId: clientId("a") };
            await request("regenerate", again, randomCut(), { regenerate: true });
          }
          last = t;
        }
        await Promise.all(finishing);
      }),
      SIZE.concurrency,
    );
    collectCalls();

    // 4. A restart: slow answers in flight when the shutdown aborts them (some clients still
    // reading, some stalled until their connection is closed), drained before the database
    // would close; afterwards every request is resent and must be replayed, not answered again.
    const slowUser = await userWithKey("sk-proj-slowStormKey00049");
    const g = globalThis as { __byokShutdown?: AbortController; __byokOpenTurns?: number };
    const openBefore = g.__byokOpenTurns ?? 0;
    const restartOne = (i: number) =>
      request("restart", fresh(slowUser, `r${i}`), i % 3 === 0 ? { kind: "stall" } : { kind: "none" }, {
        signal: linkToShutdown,
      });
    const half = Math.ceil(SIZE.restart / 2);
    const inFlight = Array.from({ length: half }, (_, i) => restartOne(i));
    // The shutdown lands while the first half streams and the second half has just arrived.
    await vi.waitFor(() => expect(sent.filter((s) => s.phase === "restart" && s.ended).length).toBe(half), {
      timeout: 30_000,
      interval: 10,
    });
    for (let i = half; i < SIZE.restart; i++) inFlight.push(restartOne(i));
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 20)));
    g.__byokShutdown?.abort();
    try {
      const recs = await Promise.all(inFlight);
      // What the server's closeAllConnections() does to a stalled client's stream.
      await Promise.all(recs.map((r) => (r as Sent & { stalled?: () => Promise<void> }).stalled?.()));
      await vi.waitFor(() => expect(g.__byokOpenTurns ?? 0).toBe(openBefore), { timeout: 30_000 });
      const streaming = await h.handle.prisma.message.count({
        where: { userId: slowUser, status: "STREAMING" },
      });
      expect(streaming).toBe(0);
    } finally {
      g.__byokShutdown = undefined;
    }
    await pool(
      sent
        .filter((s) => s.phase === "restart")
        .map((s) => () => request("after-restart", s, { kind: "none" })),
      SIZE.concurrency,
    );
    collectCalls();

    await verify(chats);
  });
});

async function verify(chats: { userId: string; chatId: string; order: string[] }[]) {
  const db = h.handle.prisma;
  const userIds = [...new Set(sent.map((s) => s.userId))];
  const rows = await db.message.findMany({ where: { userId: { in: userIds } } });
  const key = (userId: string, id: string) => `${userId}/${id}`;
  const byKey = new Map(rows.map((r) => [key(r.userId, r.id), r]));
  const answersOf = new Map<string, typeof rows>();
  for (const r of rows) {
    if (r.role !== "assistant" || !r.replyToId) continue;
    const k = key(r.userId, r.replyToId);
    answersOf.set(k, [...(answersOf.get(k) ?? []), r]);
  }

  // 0 lost: every answer id sent is one stored answer, under the message it was sent for.
  const answerIds = new Map(sent.map((s) => [key(s.userId, s.answerId), s]));
  let lost = 0;
  let misplaced = 0;
  for (const [k, s] of answerIds) {
    const row = byKey.get(k);
    if (!row) lost++;
    else if (row.role !== "assistant" || row.replyToId !== s.messageId || row.chatId !== s.chatId)
      misplaced++;
    else expect(row.status).not.toBe("STREAMING");
    expect(byKey.get(key(s.userId, s.messageId))?.role).toBe("user");
  }
  // 0 duplicated: no answer that nobody asked for; one provider call at most per answer id.
  const stray = rows.filter((r) => r.role === "assistant" && !answerIds.has(key(r.userId, r.id))).length;
  const textToMessage = new Map(sent.map((s) => [s.text, key(s.userId, s.messageId)]));
  const callsPer = new Map<string, number>();
  let unattributed = 0;
  for (const c of calls) {
    const text = [...textToMessage.keys()].find((t) => c.userText?.endsWith(t));
    if (!text) unattributed++;
    else callsPer.set(text, (callsPer.get(text) ?? 0) + 1);
  }
  let extraCalls = 0;
  for (const [text, n] of callsPer) {
    const answers = answersOf.get(textToMessage.get(text) as string)?.length ?? 0;
    extraCalls += Math.max(0, n - answers);
  }
  // Stored text = what the client saw; replays = the stored answer.
  let textMismatch = 0;
  for (const s of sent) {
    const row = byKey.get(key(s.userId, s.answerId));
    if (!row || s.outcome === "in-progress" || s.outcome === "refused") continue;
    // Read to its end (finish, or the abort chunk after a cut): all of it; cut off: a prefix.
    const ok = s.readToEnd ? row.content === s.seen : row.content.startsWith(s.seen);
    if (!ok) textMismatch++;
  }
  // Order: each multi-turn chat reads as sent, every user message followed by its newest answer.
  let outOfOrder = 0;
  for (const c of chats) {
    const page = await listMessages(c.userId, c.chatId, { limit: 100 }, db);
    const users = page.messages.filter((m) => m.role === "user").map((m) => m.id);
    const pairsOk = page.messages.every((m, i) =>
      m.role === "user"
        ? page.messages[i + 1]?.role === "assistant"
        : byKey.get(key(c.userId, m.id))?.replyToId === page.messages[i - 1]?.id,
    );
    if (JSON.stringify(users) !== JSON.stringify(c.order) || !pairsOk) outOfOrder++;
  }
  const usage = await db.usageEvent.groupBy({
    by: ["messageId"],
    where: { userId: { in: userIds } },
    _count: { _all: true },
  });
  const complete = rows.filter((r) => r.role === "assistant" && r.status === "COMPLETE").length;

  for (const s of sent) counts[`${s.phase}:${s.outcome}`] = (counts[`${s.phase}:${s.outcome}`] ?? 0) + 1;
  const summary = {
    requests: sent.length,
    duplicatePairs: sent.filter((s) => s.phase === "pair").length / 2,
    multiTurnChats: chats.length,
    answerIds: answerIds.size,
    storedAnswers: rows.filter((r) => r.role === "assistant").length,
    userMessages: rows.filter((r) => r.role === "user").length,
    providerCalls: calls.length,
    byStatus: Object.fromEntries(
      ["COMPLETE", "ABORTED", "ERROR", "STREAMING"].map((st) => [
        st,
        rows.filter((r) => r.role === "assistant" && r.status === st).length,
      ]),
    ),
    outcomes: counts,
    lost,
    misplaced,
    stray,
    extraCalls,
    unattributed,
    textMismatch,
    outOfOrder,
  };
  const dbKind = process.env.BYOK_TEST_DATABASE === "postgres" ? "PostgreSQL" : "PGlite";
  console.log(`storm on ${dbKind}: ${JSON.stringify(summary)}`);

  expect(lost).toBe(0);
  expect(misplaced).toBe(0);
  expect(stray).toBe(0);
  expect(extraCalls).toBe(0);
  expect(unattributed).toBe(0);
  expect(textMismatch).toBe(0);
  expect(outOfOrder).toBe(0);
  expect(summary.storedAnswers).toBe(answerIds.size);
  expect(calls.length).toBeLessThanOrEqual(answerIds.size);
  expect(usage.every((u) => u._count._all === 1)).toBe(true);
  expect(usage.length).toBe(complete);
  // The only refusal: a request aborted before its first token (the row is stored as ABORTED).
  expect(sent.filter((s) => s.outcome === "refused" && s.code !== "PROVIDER_UNAVAILABLE 499")).toEqual([]);
}
