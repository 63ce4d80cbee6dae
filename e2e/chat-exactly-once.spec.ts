import { expect, test } from "./fixtures";

// The same answer id twice through the real route: one provider call, the second request
// answered from the first (409 TURN_IN_PROGRESS while it streams, then the stored answer
// replayed); and the browser sends a fresh answer id with every send and regenerate, so a
// regenerated answer is a new version next to the old one.

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
const APP_PORT = Number(process.env.E2E_APP_PORT ?? "3300");

type MockRequest = { kind?: string; keyLast4?: string; stream?: boolean };
type Message = { id: string; role: string; parts: { text?: string }[]; metadata?: { versions?: string[] } };

test("a duplicate request for one answer id gets one provider call: 409 while it streams, a replay after", async ({
  page,
  auth,
}) => {
  await auth.signUp();
  const origin = `http://localhost:${APP_PORT}`;
  const key = "sk-proj-exactlyOnceSlow7q4w";
  expect(
    (await page.request.put("/api/keys/openai", { data: { apiKey: key }, headers: { origin } })).status(),
  ).toBe(200);
  const chatId = `once${Date.now()}`;
  const data = {
    id: chatId,
    message: { id: `${chatId}-m1`, text: "Say it once" },
    provider: "openai",
    model: "gpt-5-mini",
    answerId: `${chatId}-a1`,
  };
  const post = () => page.request.post("/api/chat", { data, headers: { origin } });
  // The "slow" knob spaces tokens 250 ms apart: the first request is still streaming when the
  // second arrives (both are sent at once; whichever claims the answer id first streams it).
  const [a, b] = await Promise.all([post(), post()]);
  const statuses = [a.status(), b.status()].sort();
  expect(statuses).toEqual([200, 409]);
  const refused = a.status() === 409 ? a : b;
  expect(await refused.json()).toMatchObject({ code: "TURN_IN_PROGRESS" });
  const streamed = a.status() === 200 ? a : b;
  expect(await streamed.text()).toContain("Echo");

  // After it finished, the same request is replayed from the database.
  const again = await post();
  expect(again.status()).toBe(200);
  const replay = await again.text();
  expect(replay).toContain(`"messageId":"${data.answerId}"`);
  expect(replay).toContain("Echo");

  const log = (await (await page.request.get(`${MOCK}/__mock/requests`)).json()) as {
    requests: MockRequest[];
  };
  // Streamed generations only: after a new chat's first answer the app asks the same key for a
  // title (one non-streamed request), which is not the turn's provider call.
  expect(
    log.requests.filter((r) => r.kind === "generate" && r.stream && r.keyLast4 === key.slice(-4)),
  ).toHaveLength(1);
  const { messages } = (await (await page.request.get(`/api/chats/${chatId}/messages`)).json()) as {
    messages: Message[];
  };
  expect(messages.map((m) => [m.role, m.id])).toEqual([
    ["user", data.message.id],
    ["assistant", data.answerId],
  ]);
});

test("the browser sends a new answer id per send and regenerate: a regenerated answer is a new version", async ({
  page,
  auth,
  settings,
  chat,
}) => {
  await auth.signUp();
  await settings.addKey("OpenAI", "sk-proj-versionsKey00001");
  const bodies: { answerId?: string }[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/chat") && r.method() === "POST") bodies.push(r.postDataJSON());
  });
  await chat.goto();
  await chat.send("Two versions please");
  await chat.waitForAnswer(0, "Echo");
  await expect(chat.regenerateButton).toBeVisible();
  await chat.regenerate();
  await expect(chat.regenerateButton).toBeVisible({ timeout: 20_000 });

  expect(bodies).toHaveLength(2);
  expect(bodies[0]?.answerId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  expect(bodies[1]?.answerId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  expect(bodies[1]?.answerId).not.toBe(bodies[0]?.answerId);

  const chatId = new URL(page.url()).pathname.split("/").pop() as string;
  const { messages } = (await (await page.request.get(`/api/chats/${chatId}/messages`)).json()) as {
    messages: Message[];
  };
  expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  expect(messages[1]?.id).toBe(bodies[1]?.answerId);
  expect(messages[1]?.metadata?.versions).toEqual([bodies[0]?.answerId, bodies[1]?.answerId]);
});
