import { readFileSync, statSync } from "node:fs";
import type { APIRequestContext, APIResponse, Browser } from "@playwright/test";
import { fallbackTitle } from "../../lib/chat/titles";
import { loadAppManifest, type ServerAction, samplePath } from "../../test/manifest";
import { expect, signUpInNewContext } from "../fixtures";
import { serverLogPath } from "../server-log.mjs";

// What the adversarial specs share: the manifest, people with data, raw calls to route handlers
// and server actions (sent the way the app's own client sends them), a snapshot of a user's rows
// read back through that user's own session, and the server log since a point.

export const manifest = loadAppManifest();
export const APP_ORIGIN = `http://localhost:${process.env.E2E_APP_PORT ?? "3300"}`;
export const MOCK = `http://127.0.0.1:${process.env.E2E_MOCK_PORT ?? "4300"}`;
export const EVIL = "https://evil.example";
export const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** FULL_FUZZ=1: the full sizes; by default each part stays within a couple of minutes. */
export const FULL = process.env.FULL_FUZZ === "1";

export type Person = Awaited<ReturnType<typeof signUpInNewContext>> & {
  /** This person's own session, JSON bodies, and the app's Origin (a browser's same-origin fetch). */
  request: APIRequestContext;
};

export async function person(browser: Browser): Promise<Person> {
  const p = await signUpInNewContext(browser);
  return { ...p, request: p.page.request };
}

/** A request with this person's session cookie and exactly the headers given (no implied Origin). */
export function call(
  who: Person,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; data?: unknown } = {},
): Promise<APIResponse> {
  return who.request.fetch(path, {
    method,
    headers: opts.headers ?? { origin: APP_ORIGIN },
    data: opts.data === undefined ? undefined : (opts.data as object),
    maxRedirects: 0,
    failOnStatusCode: false,
  });
}

/**
 * A server action called like Next's client calls it (the id in `Next-Action`, the arguments as
 * a JSON array in a text/plain body), posted to `page`.
 */
export function callAction(
  who: Person,
  action: ServerAction,
  page: string,
  args: unknown[],
  headers: Record<string, string> = { origin: APP_ORIGIN },
): Promise<APIResponse> {
  expect(action.id, `${action.name} is not in the build: npm run build`).not.toBeNull();
  return who.request.post(page, {
    headers: {
      "next-action": action.id as string,
      accept: "text/x-component",
      "content-type": "text/plain;charset=UTF-8",
      ...headers,
    },
    data: JSON.stringify(args),
    maxRedirects: 0,
    failOnStatusCode: false,
  });
}

export const uid = (tag: string) =>
  `${tag}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Saves a key through the REST API (checked against the mock upstream when tested). */
export async function saveKey(who: Person, provider: string, apiKey: string) {
  const data =
    provider === "compatible" ? { apiKey, baseUrl: `${MOCK}/compat/v1`, label: "Mock gateway" } : { apiKey };
  const r = await call(who, "PUT", `/api/keys/${provider}`, { data });
  expect(r.status(), `save ${provider}: ${await r.text()}`).toBe(200);
}

/** One chat turn through POST /api/chat, read to its end; returns the chat id and the SSE text. */
export async function chatTurn(who: Person, text: string, chatId = uid("chat")) {
  const r = await call(who, "POST", "/api/chat", {
    data: { id: chatId, message: { id: uid("msg"), text }, provider: "openai", model: "gpt-5-mini" },
  });
  const body = await r.text();
  expect(r.status(), body.slice(0, 200)).toBe(200);
  expect(r.headers()["content-type"]).toContain("text/event-stream");
  // The first turn's model-written title lands after the stream ends: wait for it, so a snapshot
  // taken now does not change by itself later.
  await expect
    .poll(
      async () =>
        ((await (await call(who, "GET", `/api/chats/${chatId}`)).json()) as { title?: string }).title,
    )
    .not.toBe(fallbackTitle(text));
  return { chatId, sse: body };
}

/** Ids of a chat's messages, read through the owner's session. */
export async function messageIds(who: Person, chatId: string): Promise<string[]> {
  const r = await call(who, "GET", `/api/chats/${chatId}/messages`);
  expect(r.status()).toBe(200);
  const { messages } = (await r.json()) as { messages: { id: string }[] };
  return messages.map((m) => m.id);
}

/**
 * Everything of a person's the API can read back: their keys (status, enabled, preview, label,
 * test outcome), chat list, each chat and its messages. The e2e server holds its embedded database
 * open (PGlite admits one process), so rows are compared through the owner's own reads.
 */
export async function snapshot(who: Person, chatIds: string[]): Promise<unknown> {
  const read = async (path: string) => {
    const r = await call(who, "GET", path);
    return { path, status: r.status(), body: await r.json() };
  };
  const out = [await read("/api/keys"), await read("/api/chats")];
  for (const id of chatIds) out.push(await read(`/api/chats/${id}`), await read(`/api/chats/${id}/messages`));
  return out;
}

/** A byte offset into the server log, and what was written after it. */
export const logOffset = () => statSync(serverLogPath()).size;
export const logSince = (offset: number) => readFileSync(serverLogPath()).subarray(offset).toString("utf8");
/** Lines that look like a stack frame or an unhandled error. */
export const stackLines = (log: string) =>
  log.split("\n").filter((l) => /^\s+at\s/.test(l) || /Invalid Server Actions request|unhandled|⨯/.test(l));

/** The pages that carry an action, as concrete paths. */
export const actionPages = (action: ServerAction, params: Record<string, string>) =>
  action.pages.map((p) => samplePath(p, params));

/** A response's status, its error code (when the body is JSON with one) and its text. */
export type Outcome = { status: number; code: unknown; text: string };
export async function outcome(res: APIResponse): Promise<Outcome> {
  const text = await res.text();
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  return { status: res.status(), code, text };
}
