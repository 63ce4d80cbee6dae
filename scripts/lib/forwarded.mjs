// The client address, decided once per request by the server entry (scripts/server.mjs) before
// Next.js runs. Route handlers never see the socket, and Next only fills X-Forwarded-For when it
// is absent, so without this a client-sent value would reach the sign-in limiter and the audit
// log looking real.
//
// TRUSTED_PROXY_HOPS = N is the number of reverse proxies in front of this server, each of which
// appends the address it received the request from to X-Forwarded-For (nginx
// `$proxy_add_x_forwarded_for`, Caddy, HAProxy `option forwardfor`, cloud load balancers).
// Take the chain [...X-Forwarded-For entries, socket peer]: its N right-most entries are those
// proxies (the socket peer being the nearest), and the client is the entry just left of them.
//   N = 0: the socket peer is the client; every client-sent forwarded header is dropped.
//   N = 1: the socket peer is the proxy; the right-most X-Forwarded-For entry is the client.
//   N = 2: the right-most entry is the outer proxy; the one left of it is the client.
// Anything further left was written by the client and is ignored. A chain shorter than N + 1
// (a proxy that did not append, or a request that skipped a proxy) yields its left-most entry:
// every entry there was written by a trusted hop. An entry that is not an IP address (garbage, or
// `unknown`) falls back to the socket peer.
// Afterwards the request carries exactly one X-Forwarded-For entry and X-Real-IP, both the client;
// X-Forwarded-Proto/-Host describe the hop the client used (the socket for N = 0, the nearest
// proxy's values otherwise); RFC 7239 `Forwarded` and X-Forwarded-Port are removed for N = 0.

import { isIP } from "node:net";

/** Strips a port and IPv6 brackets and unwraps IPv4-mapped IPv6; null when not an IP address. */
export function normalizeAddress(raw) {
  if (typeof raw !== "string") return null;
  let a = raw.trim();
  if (!a) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(a);
  if (mapped) a = mapped[1];
  return isIP(a) ? a.toLowerCase() : null;
}

/** Parses TRUSTED_PROXY_HOPS: unset or empty is 0; anything but a whole number 0..16 throws. */
export function parseTrustedHops(value) {
  if (value === undefined || value.trim() === "") return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 16) {
    throw new Error(`TRUSTED_PROXY_HOPS must be a whole number from 0 to 16 (got "${value}")`);
  }
  return n;
}

/** All values of a header that may arrive repeated, joined and split on commas. */
function listOf(value) {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(",") : value;
  return joined
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function lastOf(value) {
  return listOf(value).at(-1);
}

/**
 * The client address for a request: see the rules at the top of this file.
 * @param {{ forwardedFor?: string | string[], socketAddress?: string, hops: number }} input
 */
export function resolveClientAddress({ forwardedFor, socketAddress, hops }) {
  const peer = normalizeAddress(socketAddress) ?? "unknown";
  if (hops === 0) return peer;
  const chain = [...listOf(forwardedFor), peer];
  const index = Math.max(0, chain.length - 1 - hops);
  return normalizeAddress(chain[index]) ?? peer;
}

/**
 * Rewrites a Node request's forwarded headers in place (req.headers is what Next.js reads).
 * @param {import("node:http").IncomingMessage} req
 * @param {number} hops
 * @returns {string} the client address
 */
export function rewriteForwardedHeaders(req, hops) {
  const h = req.headers;
  const client = resolveClientAddress({
    forwardedFor: h["x-forwarded-for"],
    socketAddress: req.socket?.remoteAddress,
    hops,
  });
  const socketProto = req.socket && "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  let proto = socketProto;
  let host = h.host;
  if (hops > 0) {
    const p = lastOf(h["x-forwarded-proto"])?.toLowerCase();
    if (p === "http" || p === "https") proto = p;
    host = lastOf(h["x-forwarded-host"]) ?? h.host;
  } else {
    delete h.forwarded;
    delete h["x-forwarded-port"];
  }
  h["x-forwarded-for"] = client;
  h["x-real-ip"] = client;
  h["x-forwarded-proto"] = proto;
  if (host) h["x-forwarded-host"] = host;
  else delete h["x-forwarded-host"];
  return client;
}
