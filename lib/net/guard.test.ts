import { describe, expect, it } from "vitest";
import { addressAllowed, classifyAddress, ownAddresses, parseAddress } from "./guard";

// The classifier on its own: what is public, what is private (allowed only with
// ALLOW_PRIVATE_BASE_URLS) and what is blocked whatever the operator says. The table of hostile
// spellings and the connection paths are in ssrf.test.ts.

const none = new Set<string>();
const verdict = (a: string) => classifyAddress(a, none).verdict;

describe("classifyAddress", () => {
  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1", // just past 172.16/12
    "100.128.0.1", // just past CGNAT
    "11.0.0.1",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001::200e",
    "64:ff9b::808:808", // NAT64 (DNS64 network) of 8.8.8.8
  ])("lets global unicast %s through", (a) => {
    expect(verdict(a)).toBe("public");
  });

  it.each([
    ["169.254.169.254", "cloud metadata"],
    ["169.254.170.2", "cloud metadata"],
    ["100.100.100.200", "cloud metadata"],
    ["fd00:ec2::254", "cloud metadata"],
    ["fd00:0ec2:0000::0254", "cloud metadata"],
    ["169.254.0.1", "link-local"],
    ["fe80::1", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["::ffff:169.254.169.254", "IPv4-mapped of cloud metadata"],
    ["::ffff:0:169.254.1.1", "IPv4-translated of link-local"],
    ["64:ff9b::a9fe:a9fe", "NAT64 of cloud metadata"],
    ["2002:a9fe:a9fe::", "6to4 of cloud metadata"],
    ["2001:0:a9fe:a9fe::", "Teredo of cloud metadata"],
  ])("blocks %s (%s) even when private networks are allowed", (a, reason) => {
    expect(classifyAddress(a, none)).toEqual({ verdict: "blocked", reason });
    expect(addressAllowed(a, { allowPrivate: true }, none)).toBe(false);
  });

  it("treats private ranges as allowed only under ALLOW_PRIVATE_BASE_URLS", () => {
    for (const a of ["127.0.0.1", "10.0.0.1", "::1", "fd12::1", "::ffff:127.0.0.1"]) {
      expect(addressAllowed(a, { allowPrivate: false }, none), a).toBe(false);
      expect(addressAllowed(a, { allowPrivate: true }, none), a).toBe(true);
    }
    expect(addressAllowed("8.8.8.8", { allowPrivate: false }, none)).toBe(true);
  });

  it("refuses this host's own interface addresses, even a global one", () => {
    expect(classifyAddress("8.8.4.4", new Set(["8.8.4.4"]))).toEqual({
      verdict: "private",
      reason: "this host's own interface address",
    });
    const own = ownAddresses();
    expect(own.size).toBeGreaterThan(0);
    for (const a of own) expect(classifyAddress(a).verdict, a).not.toBe("public");
  });

  it("blocks anything that is not an address", () => {
    for (const a of ["", "localhost", "example.com", "1.2.3.4.5", "::g", "[::1"]) {
      expect(classifyAddress(a, none).verdict, a).toBe("blocked");
    }
    expect(parseAddress("[::1]")?.toString()).toBe("::1");
  });
});
