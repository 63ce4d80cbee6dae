import { randomUUID } from "node:crypto";
import { type Browser, expect } from "@playwright/test";
import { AuthPage, uniqueEmail } from "../pages/auth-page";
import type { Instance } from "./cluster";

// What a client of the two instances does: sign up in a browser once, then talk to either
// instance over HTTP with the same session cookie (a cookie belongs to a host, so it is sent to
// each instance's origin explicitly, as a load balancer in front of both would see it).

export type User = { email: string; cookie: string };

/** Signs a new user up through the sign-up page of `inst`; returns the session cookie. */
export async function signUp(browser: Browser, inst: Instance, tag: string): Promise<User> {
  const context = await browser.newContext();
  try {
    const { email } = await new AuthPage(await context.newPage(), inst.url).signUp(uniqueEmail(tag));
    const session = (await context.cookies(inst.url)).find((c) => c.name === "authjs.session-token");
    if (!session) throw new Error("no session cookie after sign-up");
    return { email, cookie: `${session.name}=${session.value}` };
  } finally {
    await context.close();
  }
}

export function call(
  inst: Instance,
  user: User | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${inst.url}${path}`, {
    method,
    redirect: "manual",
    headers: {
      ...(user ? { cookie: user.cookie } : {}),
      ...(method === "GET" ? {} : { origin: inst.url }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const KEYS = {
  openai: () => `sk-scale${randomUUID().replaceAll("-", "")}`,
  groq: () => `gsk_scale${randomUUID().replaceAll("-", "")}`,
  google: () => `AIzaScale${randomUUID().replaceAll("-", "")}`,
  /** The mock streams slowly for a key containing "slow" (e2e/mock-upstream/scenarios.mjs). */
  slowOpenai: () => `sk-slow${randomUUID().replaceAll("-", "")}`,
} as const;

export const MODELS = {
  openai: "gpt-5-mini",
  groq: "llama-3.3-70b-versatile",
  google: "gemini-2.5-flash",
} as const;
export type Provider = keyof typeof MODELS;

export async function saveKey(inst: Instance, user: User, provider: Provider, apiKey: string) {
  const res = await call(inst, user, "PUT", `/api/keys/${provider}`, { apiKey });
  expect(res.status, `save ${provider} key on ${inst.name}`).toBe(200);
  return ((await res.json()) as { key: { last4: string } }).key;
}

export type Turn = {
  instance: string;
  status: number;
  code?: string;
  chatId: string;
  /** The answer's text as the client received it. */
  text: string;
  /** How the stream ended: "finish", "abort", "error", or "cut" (the connection dropped). */
  end?: "finish" | "abort" | "error" | "cut";
  retryAfter?: string | null;
};

/**
 * One chat turn through POST /api/chat, read to the end of its UI message stream. `onText` is
 * called with the text so far after each delta (the rolling-restart test waits for the first).
 */
export async function chatTurn(
  inst: Instance,
  user: User,
  opts: { provider?: Provider; chatId?: string; text?: string; onText?: (text: string) => void } = {},
): Promise<Turn> {
  const provider = opts.provider ?? "openai";
  const chatId = opts.chatId ?? randomUUID();
  const res = await call(inst, user, "POST", "/api/chat", {
    id: chatId,
    message: { id: randomUUID(), text: opts.text ?? "Hello from the scale-out suite" },
    provider,
    model: MODELS[provider],
  });
  const turn: Turn = { instance: inst.name, status: res.status, chatId, text: "" };
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return { ...turn, code: body.code, retryAfter: res.headers.get("retry-after") };
  }
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
        const part = JSON.parse(line.slice(6)) as { type: string; delta?: string };
        if (part.type === "text-delta" && part.delta) {
          turn.text += part.delta;
          opts.onText?.(turn.text);
        } else if (part.type === "finish" || part.type === "abort" || part.type === "error") {
          turn.end = part.type;
        }
      }
    }
  } catch {
    turn.end = "cut";
  }
  turn.end ??= "cut";
  return turn;
}
