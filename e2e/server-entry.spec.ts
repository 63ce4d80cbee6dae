import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { ensureSecrets } from "../scripts/lib/setup.mjs";
import { migrate } from "../scripts/migrate.mjs";
import { AuthPage, uniqueEmail } from "./fixtures";
import { freePort } from "./scale-out/cluster";

// The production entry (scripts/server.mjs) on a server of this spec's own, so it can be stopped:
// the client address comes from the socket, and SIGTERM lets a chat stream end, stores its answer
// and releases the embedded database (a restart on the same directory reads it back).

const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
const FORGED = "203.0.113.77";

type Server = { child: ChildProcess; log: () => string; exited: Promise<number | null> };

function startServer(port: number, dataDir: string, extra: Record<string, string> = {}): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.WEB_CONCURRENCY;
  delete env.TRUSTED_PROXY_HOPS;
  const child = spawn(process.execPath, ["scripts/server.mjs"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...env,
      PORT: String(port),
      BYOK_DATA_DIR: dataDir,
      AUTH_URL: `http://localhost:${port}`,
      OPENAI_BASE_URL: `${MOCK}/v1`,
      ALLOW_PRIVATE_BASE_URLS: "true",
      // Shorter than the slow reply below, so the stream usually outlives it and is stopped.
      SHUTDOWN_GRACE_MS: "1000",
      ...extra,
    },
  });
  let out = "";
  child.stdout?.on("data", (b) => {
    out += b;
  });
  child.stderr?.on("data", (b) => {
    out += b;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes("serving on")) {
        clearInterval(check);
        resolve({ child, log: () => out, exited });
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`server exited (${code}) before serving:\n${out}`));
    });
  });
}

/** The assistant's text as the UI message stream delivered it, and how the stream ended. */
function readStream(sse: string): { text: string; end: string | undefined } {
  let text = "";
  let end: string | undefined;
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const part = JSON.parse(line.slice(6)) as { type: string; delta?: string };
    if (part.type === "text-delta") text += part.delta ?? "";
    if (part.type === "finish" || part.type === "abort" || part.type === "error") end = part.type;
  }
  return { text, end };
}

async function signUpAt(page: Page, origin: string) {
  await new AuthPage(page, origin).signUp(uniqueEmail("entry"));
}

test.describe.configure({ mode: "serial" });

let port: number;
let origin: string;
let dataDir: string;
let server: Server | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  port = await freePort();
  origin = `http://localhost:${port}`;
  dataDir = mkdtempSync(path.join(os.tmpdir(), "byok-e2e-entry-"));
  ensureSecrets(dataDir, { ...process.env, DATABASE_URL: "" });
  await migrate({ dataDir, log: () => {} });
  server = await startServer(port, dataDir);
});

test.afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test("liveness and readiness answer without a session; a forged client address never reaches the audit log", async ({
  page,
}) => {
  const health = await page.request.get(`${origin}/api/health`, { maxRedirects: 0 });
  expect(health.status()).toBe(200);
  expect(health.headers()["cache-control"]).toBe("no-store");
  expect(await health.json()).toEqual({ status: "ok" });
  const ready = await page.request.get(`${origin}/api/ready`, { maxRedirects: 0 });
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready" });

  await signUpAt(page, origin);
  const put = await page.request.put(`${origin}/api/keys/openai`, {
    data: { apiKey: "sk-proj-entryForgedAddress0001" },
    headers: { origin, "x-forwarded-for": `${FORGED}, ${FORGED}`, "x-real-ip": FORGED },
  });
  expect(put.status()).toBe(200);
  await page.goto(`${origin}/settings/ai`);
  const row = page.getByRole("row").filter({ hasText: "Key added" });
  await expect(row).toHaveCount(1);
  // The socket's address (this machine), whatever the client claimed.
  await expect(row).toContainText(/127\.0\.0\.1|::1/);
  await expect(page.locator("body")).not.toContainText(FORGED);
});

test("SIGTERM: an open chat stream ends, its answer is stored once, the database is released; with Redis down the restart serves but is not ready", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const running = server;
  if (!running) throw new Error("no server");
  await signUpAt(page, origin);
  const put = await page.request.put(`${origin}/api/keys/openai`, {
    data: { apiKey: "sk-proj-entryShutdownslow0002" },
    headers: { origin },
  });
  expect(put.status()).toBe(200);
  const cookie = (await page.context().cookies(origin)).map((c) => `${c.name}=${c.value}`).join("; ");

  const chatId = `term${Date.now()}`;
  const body = JSON.stringify({
    id: chatId,
    message: { id: `${chatId}-m1`, text: "Please keep talking" },
    provider: "openai",
    model: "gpt-5-mini",
  });
  let signalled = false;
  // Read the stream; once the first words arrive, stop the server and keep reading to the end.
  const received = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/api/chat",
        method: "POST",
        headers: { "content-type": "application/json", origin, cookie },
      },
      (res) => {
        let seen = "";
        res.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (!signalled && seen.includes("text-delta")) {
            signalled = true;
            running.child.kill("SIGTERM");
          }
        });
        res.on("end", () => resolve(seen));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  expect(signalled).toBe(true);
  const streamed = readStream(received);
  // The stream was closed by the server with a proper ending, not cut.
  expect(["abort", "finish"]).toContain(streamed.end);
  expect(streamed.text).toMatch(/^Echo/);

  // It exits cleanly once the stream is stored and the database closed.
  expect(await running.exited).toBe(0);
  expect(running.log()).toContain("stopped");

  // Same directory, same port: it opens, so the embedded database's lock was released. This time
  // with a Redis that does not answer: it serves (limits fall back to memory) but is not ready.
  server = await startServer(port, dataDir, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  const notReady = await page.request.get(`${origin}/api/ready`);
  expect(notReady.status()).toBe(503);
  expect(await notReady.json()).toEqual({
    code: "NOT_READY",
    message: "A dependency of this instance is not available.",
    failing: { redis: "unreachable" },
  });
  expect((await page.request.get(`${origin}/api/health`)).status()).toBe(200);
  const r = await page.request.get(`${origin}/api/chats/${chatId}/messages`);
  expect(r.status()).toBe(200);
  const { messages } = (await r.json()) as {
    messages: { role: string; parts: { text?: string }[]; metadata?: { status?: string } }[];
  };
  const answers = messages.filter((m) => m.role === "assistant");
  expect(answers).toHaveLength(1);
  const stored = answers[0];
  const status = stored?.metadata?.status;
  // ABORTED with exactly the text the client saw, or COMPLETE if it finished within the grace.
  expect(status).toBe(streamed.end === "abort" ? "ABORTED" : "COMPLETE");
  expect(stored?.parts.map((p) => p.text ?? "").join("")).toBe(streamed.text);
});
