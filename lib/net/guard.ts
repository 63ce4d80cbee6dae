import { networkInterfaces } from "node:os";
import ipaddr from "ipaddr.js";

// Which addresses our server may open a connection to on a user's behalf (a user-supplied base
// URL receives the user's key and is fetched by our server: an SSRF vector). An allow-list:
// only global unicast passes. Everything in an RFC 6890 special-purpose range, every spelling
// that embeds or translates to an IPv4 address, and this host's own interface addresses is
// "private" (allowed only when the operator set ALLOW_PRIVATE_BASE_URLS, for a local Ollama).
// Link-local and cloud-metadata addresses are "blocked" even then: no model server lives there.
// ipaddr.js does the parsing and the range table; this file only decides.

export type AddressVerdict = {
  verdict: "public" | "private" | "blocked";
  /** A short reason, for logs and tests (never shown with a key). */
  reason: string;
};

export type GuardPolicy = { allowPrivate: boolean };

/** Cloud metadata services (AWS, ECS, Alibaba, AWS over IPv6), in ipaddr's normalized form. */
const METADATA = new Set(
  ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"].map((a) =>
    ipaddr.parse(a).toNormalizedString(),
  ),
);

/** IANA's global unicast block: nothing routable on the internet lives outside 2000::/3. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

const v4 = (b: number[]) => new ipaddr.IPv4(b.slice(0, 4));

/** The IPv4 addresses an IPv6 address may embed, per RFC 6052's layouts for prefix lengths ≥ `min`. */
function rfc6052Embedded(bytes: number[], min: number): ipaddr.IPv4[] {
  const at = (...i: number[]) => v4(i.map((k) => bytes[k] ?? 0));
  const layouts: [number, ipaddr.IPv4][] = [
    [32, at(4, 5, 6, 7)],
    [40, at(5, 6, 7, 9)],
    [48, at(6, 7, 9, 10)],
    [56, at(7, 9, 10, 11)],
    [64, at(9, 10, 11, 12)],
    [96, at(12, 13, 14, 15)],
  ];
  return layouts.filter(([len]) => len >= min).map(([, a]) => a);
}

/** The IPv4 addresses an IPv6 address carries or translates to, when it is such a form. */
function embeddedIPv4(addr: ipaddr.IPv6): { form: string; addresses: ipaddr.IPv4[] } | undefined {
  const bytes = addr.toByteArray();
  const tail = v4(bytes.slice(12));
  const range = addr.range();
  if (range === "ipv4Mapped") return { form: "IPv4-mapped", addresses: [tail] };
  if (range === "rfc6145") return { form: "IPv4-translated", addresses: [tail] };
  if (range === "rfc6052") {
    const wellKnown = addr.match(ipaddr.parseCIDR("64:ff9b::/96"));
    return { form: "NAT64", addresses: rfc6052Embedded(bytes, wellKnown ? 96 : 48) };
  }
  if (range === "6to4") return { form: "6to4", addresses: [v4(bytes.slice(2, 6))] };
  if (range === "teredo") {
    // Server address in clear, client address bit-inverted (RFC 4380).
    return { form: "Teredo", addresses: [v4(bytes.slice(4, 8)), v4(bytes.slice(12).map((b) => b ^ 0xff))] };
  }
  // IPv4-compatible (::a.b.c.d, deprecated): the first 96 bits are zero, minus :: and ::1.
  if (bytes.slice(0, 12).every((b) => b === 0) && range !== "unspecified" && range !== "loopback") {
    return { form: "IPv4-compatible", addresses: [tail] };
  }
  return undefined;
}

function classifyV4(addr: ipaddr.IPv4): AddressVerdict {
  if (METADATA.has(addr.toNormalizedString())) return { verdict: "blocked", reason: "cloud metadata" };
  const range = addr.range();
  if (range === "linkLocal") return { verdict: "blocked", reason: "link-local" };
  if (range !== "unicast") return { verdict: "private", reason: range };
  return { verdict: "public", reason: "global unicast" };
}

function classifyV6(addr: ipaddr.IPv6): AddressVerdict {
  if (METADATA.has(addr.toNormalizedString())) return { verdict: "blocked", reason: "cloud metadata" };
  const range = addr.range();
  if (range === "linkLocal") return { verdict: "blocked", reason: "link-local" };
  const embedded = embeddedIPv4(addr);
  if (embedded) {
    const inner = embedded.addresses.map(classifyV4);
    const blocked = inner.find((v) => v.verdict === "blocked");
    if (blocked) return { verdict: "blocked", reason: `${embedded.form} of ${blocked.reason}` };
    // A DNS64 network answers public names with 64:ff9b::/96 addresses: those stay usable when
    // the IPv4 address they translate to is global. Every other form is special-purpose.
    if (
      embedded.form === "NAT64" &&
      addr.match(ipaddr.parseCIDR("64:ff9b::/96")) &&
      inner[0]?.verdict === "public"
    )
      return { verdict: "public", reason: "NAT64 of global unicast" };
    return { verdict: "private", reason: embedded.form };
  }
  if (range !== "unicast") return { verdict: "private", reason: range };
  if (!addr.match(GLOBAL_UNICAST_V6)) return { verdict: "private", reason: "outside 2000::/3" };
  return { verdict: "public", reason: "global unicast" };
}

/** Parses any spelling ipaddr.js accepts (dotted, octal, hex, IPv6 with zone); undefined if none. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

/** This host's own interface addresses, canonical form: reaching one is reaching this machine. */
export function ownAddresses(): Set<string> {
  const set = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      const parsed = parseAddress(entry.address.split("%")[0] ?? "");
      if (parsed) set.add(parsed.toNormalizedString());
    }
  }
  return set;
}

/**
 * Classifies one IP address (any spelling). `own` defaults to this host's interface addresses;
 * tests pass their own set. Anything that does not parse as an address is blocked.
 */
export function classifyAddress(text: string, own: Set<string> = ownAddresses()): AddressVerdict {
  const parsed = parseAddress(text);
  if (!parsed) return { verdict: "blocked", reason: "not an IP address" };
  const result =
    parsed.kind() === "ipv4" ? classifyV4(parsed as ipaddr.IPv4) : classifyV6(parsed as ipaddr.IPv6);
  if (result.verdict === "public" && own.has(parsed.toNormalizedString()))
    return { verdict: "private", reason: "this host's own interface address" };
  return result;
}

/** True when the policy lets our server connect to this address. */
export function addressAllowed(text: string, policy: GuardPolicy, own?: Set<string>): boolean {
  const { verdict } = classifyAddress(text, own);
  return verdict === "public" || (verdict === "private" && policy.allowPrivate);
}

/** Host names that are this machine or a metadata service whatever DNS says. */
export function isLocalName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

export const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata",
  "instance-data",
  "metadata.azure.com",
]);

export class BlockedAddressError extends Error {
  readonly code = "ERR_BLOCKED_ADDRESS";
  constructor(
    readonly host: string,
    readonly verdict: AddressVerdict,
  ) {
    super(`Connection to ${host} refused: ${verdict.reason}`);
    this.name = "BlockedAddressError";
  }
}
