import { samplePath } from "../../test/manifest";
import { expect, test } from "../fixtures";
import {
  actionPages,
  call,
  callAction,
  chatTurn,
  FULL,
  MUTATING,
  manifest,
  messageIds,
  type Outcome,
  outcome,
  person,
  saveKey,
  snapshot,
  uid,
} from "./world";

// User A owns chats, messages and a key for every provider; user B, signed in with keys and a chat
// of their own, calls every route method and every server action of the manifest (a new one is
// covered without editing this file) with A's ids in the path, the query and the body. Each answer
// must be a refusal (4xx with a code), or exactly what B gets for an id that does not exist (same status and code),
// or B's own data; none may carry A's words or key previews, none may be a 5xx; and A's rows, read
// back through A's own session, must not change. FULL_FUZZ=1 gives A more chats (more ids).

const PROVIDERS = ["openai", "groq", "google", "compatible"] as const;
const SECRET = uid("ALPHAsecret"); // in A's messages; B's answers must never hold it

test("cross-user matrix: B with A's ids is refused or answered as if they did not exist; A unchanged", async ({
  browser,
}) => {
  test.setTimeout(FULL ? 600_000 : 180_000);
  expect(manifest.build.found, "no build: npm run build").toBe(true);

  // A: a key per provider (tested against the mock upstream), chats with messages.
  const a = await person(browser);
  const aKeys: Record<string, string> = {
    openai: `sk-proj-crossA${uid("k")}Qa1`,
    groq: `gsk_crossA${uid("k")}Qb2`,
    google: `AIzaCrossA${uid("k")}Qc3`,
    compatible: `sk-crossA${uid("k")}Qd4`,
  };
  for (const p of PROVIDERS) {
    await saveKey(a, p, aKeys[p] as string);
    expect((await call(a, "POST", `/api/keys/${p}/test`)).status()).toBe(200);
  }
  const aChats: string[] = [];
  for (let i = 0; i < (FULL ? 3 : 1); i++)
    aChats.push((await chatTurn(a, `${SECRET} chat ${i} about otters`)).chatId);
  const aMessages = (await Promise.all(aChats.map((c) => messageIds(a, c)))).flat();
  expect(aMessages.length).toBeGreaterThanOrEqual(2);
  // What B's answers must never contain: A's words and A's key previews (last 4) and key text.
  const aMarkers = [SECRET, ...Object.values(aKeys).flatMap((k) => [k.slice(-8), k.slice(4, 16)])];

  // B: a key and a chat of their own, so B's calls get past "no key" to the ownership checks.
  const b = await person(browser);
  await saveKey(b, "openai", `sk-proj-crossB${uid("k")}Zz9`);
  await chatTurn(b, "B's own chat");

  const before = await snapshot(a, aChats);
  const absentChat = uid("absent");
  const failures: string[] = [];
  const counts = { calls: 0, refused: 0, asIfAbsent: 0, ownData: 0 };

  const judge = (what: string, got: Outcome, absent?: Outcome) => {
    counts.calls++;
    if (got.status >= 500) return failures.push(`${what}: ${got.status} ${got.text.slice(0, 120)}`);
    const leak = aMarkers.find((m) => got.text.includes(m));
    if (leak) return failures.push(`${what}: answer holds A's data (${leak})`);
    if (absent) {
      if (got.status !== absent.status || got.code !== absent.code)
        return failures.push(
          `${what}: ${got.status} ${String(got.code)}, an absent id gets ${absent.status} ${String(absent.code)}`,
        );
      counts.asIfAbsent++;
    } else if (got.status >= 400) counts.refused++;
    else counts.ownData++;
  };

  // Bodies carrying A's ids (every mutating route gets each; the strict schemas refuse the rest).
  const newId = () => uid("bnew");
  const bodies = (chat: string): unknown[] => [
    {},
    { title: "taken over by B" },
    { enabled: false },
    { apiKey: `sk-proj-fromB${uid("k")}` },
    {
      id: chat,
      message: { id: newId(), text: "B writes into A's chat" },
      provider: "openai",
      model: "gpt-5-mini",
    },
    {
      id: chat,
      message: { id: newId(), text: "B regenerates" },
      provider: "openai",
      model: "gpt-5-mini",
      regenerate: true,
    },
    ...aMessages.map((m) => ({
      id: newId(),
      message: { id: m, text: "B reuses A's message id" },
      provider: "openai",
      model: "gpt-5-mini",
    })),
  ];
  const queries = (chat: string) => ["", `?before=${aMessages[0]}`, `?cursor=${chat}`, `?q=${SECRET}`];

  for (const route of manifest.routes.filter((r) => r.access === "user")) {
    const hasId = route.segments.some((s) => s.kind !== "static" && s.name === "id");
    const providers = route.segments.some((s) => s.kind !== "static" && s.name === "provider")
      ? PROVIDERS
      : ["openai"];
    for (const method of route.methods) {
      for (const chat of aChats) {
        for (const provider of providers) {
          const pathFor = (id: string) => samplePath(route.pattern, { id, provider });
          const variants: { suffix: string; data?: unknown }[] = MUTATING.has(method)
            ? bodies(chat).map((data) => ({ suffix: "", data }))
            : queries(chat).map((suffix) => ({ suffix }));
          if (method === "DELETE") variants.splice(0, variants.length, { suffix: "" });
          for (const v of variants) {
            const what = `${method} ${pathFor(chat)}${v.suffix} ${v.data ? JSON.stringify(v.data).slice(0, 60) : ""}`;
            const got = await outcome(await call(b, method, pathFor(chat) + v.suffix, { data: v.data }));
            // With A's chat id in the path, B must get what an id that never existed gets. Chat
            // ids are per user, so a body naming A's chat id (a turn) makes B a chat of B's own
            // under that id: the same body naming the absent id must get the same answer (and
            // makes B's own "absent" chat too, so later calls on both ids stay comparable).
            const namesChat = (v.data as { id?: unknown } | undefined)?.id === chat;
            const absent = hasId
              ? await outcome(await call(b, method, pathFor(absentChat) + v.suffix, { data: v.data }))
              : namesChat
                ? await outcome(
                    await call(b, method, pathFor(absentChat) + v.suffix, {
                      data: { ...(v.data as object), id: absentChat, message: { id: newId(), text: "twin" } },
                    }),
                  )
                : undefined;
            judge(what, got, absent);
          }
        }
      }
    }
  }

  // Server actions act on the caller's own rows only; B names A's providers and inputs.
  const actionInputs = PROVIDERS.flatMap((provider) => [
    { provider },
    { provider, enabled: false },
    { provider, apiKey: `sk-proj-actB${uid("k")}` },
    { provider, model: "gpt-5-mini" },
  ]);
  for (const action of manifest.actions.filter((x) => x.access === "user")) {
    for (const page of actionPages(action, { id: aChats[0] as string })) {
      for (const input of actionInputs) {
        judge(
          `action ${action.name} on ${page} ${JSON.stringify(input)}`,
          await outcome(await callAction(b, action, page, [input])),
        );
      }
    }
  }

  console.log(
    `[cross-user] ${counts.calls} calls by B with A's ids: ${counts.refused} refused, ${counts.asIfAbsent} answered as for an absent id, ${counts.ownData} answered with B's own data, ${failures.length} failures`,
  );
  expect(failures).toEqual([]);
  const after = await snapshot(a, aChats);
  const changed = JSON.stringify(after) === JSON.stringify(before) ? 0 : 1;
  console.log(`[cross-user] A's rows changed: ${changed === 0 ? 0 : "some"}`);
  expect(after, "A's keys, chats and messages are unchanged").toEqual(before);
  await a.close();
  await b.close();
});
