import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientIp } from "@/lib/client-ip";
import {
  normalizeAddress,
  parseTrustedHops,
  resolveClientAddress,
  rewriteForwardedHeaders,
} from "./forwarded.mjs";

// A Node request as the server entry receives it: headers as Node parsed them, a socket peer.
function request(headers: Record<string, string | string[]>, remoteAddress: string, encrypted = false) {
  return { headers: { ...headers }, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

/** What a route handler would see after the rewrite (Next copies req.headers into the Request). */
function seenByApp(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) h.set(k, String(v));
  return h;
}

describe("rewriteForwardedHeaders, TRUSTED_PROXY_HOPS=0", () => {
  it("never lets a forged X-Forwarded-For or X-Real-IP survive: the socket peer is the client", () => {
    const req = request(
      {
        host: "chat.example.com",
        "x-forwarded-for": "203.0.113.9, 198.51.100.1",
        "x-real-ip": "203.0.113.9",
      },
      "192.0.2.44",
    );
    expect(rewriteForwardedHeaders(req, 0)).toBe("192.0.2.44");
    expect(req.headers["x-forwarded-for"]).toBe("192.0.2.44");
    expect(req.headers["x-real-ip"]).toBe("192.0.2.44");
    expect(clientIp(seenByApp(req))).toBe("192.0.2.44");
  });

  it("drops client-sent proto, host, port and Forwarded, and describes the socket instead", () => {
    const req = request(
      {
        host: "chat.example.com",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
        "x-forwarded-port": "443",
        forwarded: "for=203.0.113.9;proto=https",
      },
      "::ffff:192.0.2.44",
    );
    rewriteForwardedHeaders(req, 0);
    expect(req.headers["x-forwarded-proto"]).toBe("http");
    expect(req.headers["x-forwarded-host"]).toBe("chat.example.com");
    expect(req.headers["x-forwarded-port"]).toBeUndefined();
    expect(req.headers.forwarded).toBeUndefined();
    // IPv4-mapped IPv6 (a server listening on ::) is stored as plain IPv4.
    expect(req.headers["x-real-ip"]).toBe("192.0.2.44");
  });

  it("a TLS socket is https", () => {
    const req = request({ host: "a" }, "192.0.2.1", true);
    rewriteForwardedHeaders(req, 0);
    expect(req.headers["x-forwarded-proto"]).toBe("https");
  });
});

describe("rewriteForwardedHeaders, behind proxies", () => {
  it("hops=1: the right-most X-Forwarded-For entry is the client; entries left of it are ignored", () => {
    const req = request(
      {
        host: "internal:3000",
        "x-forwarded-for": "203.0.113.9, 198.51.100.7",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "chat.example.com",
      },
      "10.0.0.2",
    );
    expect(rewriteForwardedHeaders(req, 1)).toBe("198.51.100.7");
    expect(req.headers["x-forwarded-for"]).toBe("198.51.100.7");
    expect(clientIp(seenByApp(req))).toBe("198.51.100.7");
    expect(req.headers["x-forwarded-proto"]).toBe("https");
    expect(req.headers["x-forwarded-host"]).toBe("chat.example.com");
  });

  it("hops=2: the entry left of the outer proxy is the client", () => {
    expect(
      resolveClientAddress({
        forwardedFor: "203.0.113.9, 198.51.100.7, 10.0.0.1",
        socketAddress: "10.0.0.2",
        hops: 2,
      }),
    ).toBe("198.51.100.7");
  });

  it("repeated X-Forwarded-For headers count as one list", () => {
    expect(
      resolveClientAddress({
        forwardedFor: ["203.0.113.9", "198.51.100.7"],
        socketAddress: "10.0.0.2",
        hops: 1,
      }),
    ).toBe("198.51.100.7");
  });

  it("a chain shorter than the hops yields its left-most entry, or the socket when there is none", () => {
    expect(resolveClientAddress({ forwardedFor: "198.51.100.7", socketAddress: "10.0.0.2", hops: 3 })).toBe(
      "198.51.100.7",
    );
    expect(resolveClientAddress({ socketAddress: "10.0.0.2", hops: 1 })).toBe("10.0.0.2");
  });

  it("an entry that is not an address falls back to the socket peer", () => {
    expect(resolveClientAddress({ forwardedFor: "unknown", socketAddress: "10.0.0.2", hops: 1 })).toBe(
      "10.0.0.2",
    );
    expect(
      resolveClientAddress({ forwardedFor: "<script>, 10.0.0.1", socketAddress: "10.0.0.2", hops: 2 }),
    ).toBe("10.0.0.2");
  });

  it("ports and brackets written by proxies are stripped", () => {
    expect(
      resolveClientAddress({ forwardedFor: "198.51.100.7:51234", socketAddress: "10.0.0.2", hops: 1 }),
    ).toBe("198.51.100.7");
    expect(
      resolveClientAddress({ forwardedFor: "[2001:db8::1]:443", socketAddress: "10.0.0.2", hops: 1 }),
    ).toBe("2001:db8::1");
  });
});

describe("parsing", () => {
  it("normalizeAddress accepts addresses only", () => {
    expect(normalizeAddress(" 2001:DB8::1 ")).toBe("2001:db8::1");
    expect(normalizeAddress("example.com")).toBeNull();
    expect(normalizeAddress("")).toBeNull();
    expect(normalizeAddress(undefined)).toBeNull();
  });

  it("TRUSTED_PROXY_HOPS is a small whole number, 0 when unset", () => {
    expect(parseTrustedHops(undefined)).toBe(0);
    expect(parseTrustedHops("")).toBe(0);
    expect(parseTrustedHops("2")).toBe(2);
    expect(() => parseTrustedHops("-1")).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(() => parseTrustedHops("yes")).toThrow(/TRUSTED_PROXY_HOPS/);
  });
});
