import { request as httpRequest } from "node:http";
import { expect, test } from "./fixtures";

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
const APP_PORT = Number(process.env.E2E_APP_PORT ?? "3300");

type MockRequest = { path: string; keyLast4?: string; aborted?: boolean; tokensSent?: number };
type Message = { role: string; parts: { text?: string }[]; metadata?: { status?: string } };

test("a client that disconnects mid-stream aborts the upstream; one partial answer is stored", async ({
  page,
  auth,
}) => {
  await auth.signUp();
  const origin = `http://localhost:${APP_PORT}`;
  const key = "sk-proj-disconnectE2Eslow9z8y";
  const put = await page.request.put("/api/keys/openai", { data: { apiKey: key }, headers: { origin } });
  expect(put.status()).toBe(200);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");

  const chatId = `disc${Date.now()}`;
  const body = JSON.stringify({
    id: chatId,
    message: { id: `${chatId}-m1`, text: "Please keep talking" },
    provider: "openai",
    model: "gpt-5-mini",
  });
  // Read the stream until the first words arrive, then drop the connection like a closed tab.
  const firstBytes = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "localhost",
        port: APP_PORT,
        path: "/api/chat",
        method: "POST",
        headers: { "content-type": "application/json", origin, cookie },
      },
      (res) => {
        let seen = "";
        res.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes("Echo")) {
            req.destroy();
            resolve(seen);
          }
        });
        res.on("end", () => reject(new Error(`stream ended before any text: ${seen.slice(0, 200)}`)));
      },
    );
    req.on("error", (e) => {
      if (!(e as NodeJS.ErrnoException).code?.startsWith("ECONNRESET")) reject(e);
    });
    req.end(body);
  });
  expect(firstBytes).toContain("Echo");

  // The upstream request for this key was aborted, long before its last token.
  await expect
    .poll(async () => {
      const log = (await (await page.request.get(`${MOCK}/__mock/requests`)).json()) as
        | MockRequest[]
        | { requests: MockRequest[] };
      const rows = Array.isArray(log) ? log : log.requests;
      return rows.filter((r) => r.keyLast4 === key.slice(-4) && r.aborted).length;
    })
    .toBe(1);

  // Exactly one assistant message, marked aborted, holding the partial text.
  await expect
    .poll(async () => {
      const r = await page.request.get(`/api/chats/${chatId}/messages`);
      if (r.status() !== 200) return `status ${r.status()}`;
      const { messages } = (await r.json()) as { messages: Message[] };
      const answers = messages.filter((m) => m.role === "assistant");
      return answers.map((m) => `${m.metadata?.status}:${m.parts.map((p) => p.text ?? "").join("")}`);
    })
    .toEqual([expect.stringMatching(/^ABORTED:Echo/)]);
});
