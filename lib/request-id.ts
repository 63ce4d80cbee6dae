import { AsyncLocalStorage } from "node:async_hooks";

// Every request gets an id: taken from a well-formed `x-request-id` (set by proxy.ts for pages
// and server actions, or by a load balancer in front of us) or made here. lib/log.ts writes it
// on every line logged while the request runs, and error bodies return it, so a user's report
// can be matched to the log. On globalThis: route handlers and actions are separate bundles.

export const REQUEST_ID_HEADER = "x-request-id";

type RequestStore = { requestId: string };
const g = globalThis as { __byokRequests?: AsyncLocalStorage<RequestStore> };
g.__byokRequests ??= new AsyncLocalStorage<RequestStore>();
const requests = g.__byokRequests;

// Client-controlled: only a short token of safe characters is kept, anything else is replaced.
const WELL_FORMED = /^[A-Za-z0-9_-]{8,64}$/;

export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given && WELL_FORMED.test(given) ? given : crypto.randomUUID();
}

/** Runs `fn` as the request `requestId`: every log line written meanwhile carries the id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requests.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return requests.getStore()?.requestId;
}

/** For server actions: runs `fn` under the id proxy.ts gave this request. */
export async function inActionRequest<T>(fn: () => Promise<T>): Promise<T> {
  const { headers } = await import("next/headers");
  return withRequestId(requestIdFrom(await headers()), fn);
}
