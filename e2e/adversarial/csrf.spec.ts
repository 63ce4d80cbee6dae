import type { APIResponse } from "@playwright/test";
import { samplePath } from "../../test/manifest";
import { expect, test } from "../fixtures";
import {
  APP_ORIGIN,
  actionPages,
  call,
  callAction,
  chatTurn,
  EVIL,
  logOffset,
  logSince,
  MUTATING,
  manifest,
  outcome,
  person,
  saveKey,
  snapshot,
  stackLines,
} from "./world";

// Every mutating route method and every server action of the manifest (a new one is in this
// matrix from its first commit), sent with a valid session cookie and each of the ways a request
// that is not our own page's can look. All must be refused with 403 FORBIDDEN (route handlers by
// lib/http.ts, actions by proxy.ts before Next runs), none may change a row or write a stack
// trace. Then each entry point is called once with the app's Origin, to prove the refusals came
// from the origin check and not from something else in the request.

const ATTACKS: Record<string, Record<string, string>> = {
  "cross-site Origin": { origin: EVIL, "sec-fetch-site": "cross-site" },
  "Origin: null": { origin: "null" },
  "no Origin, no Sec-Fetch-Site": {},
  "forged Sec-Fetch-Site: same-origin with a cross-site Origin": {
    origin: EVIL,
    "sec-fetch-site": "same-origin",
  },
  "forged X-Forwarded-Host naming the attacker's origin": {
    origin: EVIL,
    "x-forwarded-host": new URL(EVIL).host,
    "x-forwarded-proto": "https",
  },
};

const routes = manifest.routes
  .filter((r) => r.access === "user")
  .flatMap((r) => r.methods.filter((m) => MUTATING.has(m)).map((method) => ({ route: r, method })));
const actions = manifest.actions;

test("CSRF matrix: every mutating route and action × 5 forged origins is refused 403", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  expect(manifest.build.found, "no build: npm run build").toBe(true);
  expect(routes.length).toBeGreaterThan(0);
  expect(actions.length).toBeGreaterThan(0);

  const victim = await person(browser);
  await saveKey(victim, "openai", "sk-proj-csrfVictimKEY1234abcd5678");
  await saveKey(victim, "groq", "gsk_csrfVictimGROQkey9876zyxw");
  const { chatId } = await chatTurn(victim, "CSRF matrix victim's chat");
  const params = { id: chatId, provider: "openai" };
  // Bodies a legitimate client would send, so only the origin decides.
  const bodyFor = (pattern: string, method: string): unknown => {
    if (method === "DELETE") return undefined;
    if (pattern === "/api/chat")
      return {
        id: chatId,
        message: { id: `csrf${Date.now()}`, text: "forged turn" },
        provider: "openai",
        model: "gpt-5-mini",
      };
    if (pattern === "/api/chats/[id]") return { title: "renamed by a forged request" };
    if (pattern === "/api/keys/[provider]" && method === "PUT")
      return { apiKey: "sk-proj-attackerKEY0000zzzz" };
    if (pattern === "/api/keys/[provider]" && method === "PATCH") return { enabled: false };
    return {};
  };

  const before = await snapshot(victim, [chatId]);
  const start = logOffset();
  const failures: string[] = [];
  let attempts = 0;
  const expectRefused = async (what: string, res: APIResponse) => {
    attempts++;
    const { status, code, text } = await outcome(res);
    if (status !== 403 || code !== "FORBIDDEN") failures.push(`${what}: ${status} ${text.slice(0, 120)}`);
  };

  for (const [attack, headers] of Object.entries(ATTACKS)) {
    for (const { route, method } of routes) {
      const path = samplePath(route.pattern, params);
      const data = bodyFor(route.pattern, method);
      const h = data === undefined ? headers : { ...headers, "content-type": "application/json" };
      await expectRefused(
        `${method} ${path} [${attack}]`,
        await call(victim, method, path, { headers: h, data }),
      );
    }
    for (const action of actions) {
      for (const page of actionPages(action, params)) {
        const res = await callAction(victim, action, page, [{ provider: "openai", enabled: false }], headers);
        await expectRefused(`action ${action.name} on ${page} [${attack}]`, res);
      }
    }
  }
  const log = logSince(start);

  const actionCalls = actions.reduce((n, a) => n + a.pages.length, 0);
  console.log(
    `[csrf] ${attempts} forged requests (${routes.length} route methods + ${actionCalls} action/page pairs) × ${
      Object.keys(ATTACKS).length
    } forgeries: ${attempts - failures.length} refused 403 FORBIDDEN, ${failures.length} not`,
  );
  expect(failures).toEqual([]);
  expect(attempts).toBe((routes.length + actionCalls) * Object.keys(ATTACKS).length);
  expect(stackLines(log), "the server log holds no stack trace for the refused requests").toEqual([]);
  expect(await snapshot(victim, [chatId]), "no row changed").toEqual(before);

  // Controls: the same entry points with the app's Origin pass the check (whatever they answer next).
  // Destructive methods last; the victim's own public actions (sign-in/up/out) are not replayed.
  const order = ["POST", "PUT", "PATCH", "DELETE"];
  const sorted = [...routes].sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
  for (const action of actions.filter((a) => a.access === "user")) {
    for (const page of actionPages(action, params)) {
      const res = await callAction(victim, action, page, [{}]);
      expect(res.status(), `control: action ${action.name} on ${page}`).toBe(200);
    }
  }
  for (const { route, method } of sorted) {
    const path = samplePath(route.pattern, params);
    const res = await call(victim, method, path, {
      headers: { origin: APP_ORIGIN },
      data: bodyFor(route.pattern, method),
    });
    expect(res.status(), `control: ${method} ${path}`).not.toBe(403);
    expect(res.status(), `control: ${method} ${path}`).toBeLessThan(500);
    await res.body();
  }
  await victim.close();
});

test("a page POST without Next-Action (a no-JavaScript form post) follows the same rule", async ({
  browser,
}) => {
  const who = await person(browser);
  const pages = [...new Set(manifest.pages.map((p) => samplePath(p.pattern, { id: "csrfprobe1" })))];
  for (const path of pages) {
    for (const [attack, headers] of Object.entries(ATTACKS)) {
      const res = await call(who, "POST", path, {
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        data: "a=1",
      });
      expect(res.status(), `${path} [${attack}]`).toBe(403);
      expect(await res.json()).toMatchObject({ code: "FORBIDDEN" });
    }
  }
  console.log(`[csrf] ${pages.length} pages × ${Object.keys(ATTACKS).length} forged form posts refused 403`);
  await who.close();
});
