import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { type AppError, invalidField } from "@/lib/errors";

// A user-supplied base URL receives the user's key and is fetched by our server, so it is an
// SSRF vector: refuse anything that reaches the host's private network unless the operator
// opted in (embedded/self-hosted installs talking to a local Ollama or LM Studio).
// Cloud metadata endpoints are refused even then: no model server lives there.

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type BaseUrlOptions = { allowPrivate: boolean; lookup?: LookupAll };

const MAX_URL_LENGTH = 2048;
const LOOKUP_TIMEOUT_MS = 5000;

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches localhost on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved + broadcast
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique-local (AWS metadata fd00:ec2::254 too)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv6");
}

const metadataAddresses = new BlockList();
for (const a of ["169.254.169.254", "169.254.170.2", "100.100.100.200"])
  metadataAddresses.addAddress(a, "ipv4");
metadataAddresses.addAddress("fd00:ec2::254", "ipv6");
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata",
  "instance-data",
  "metadata.azure.com",
]);

/** IPv4 embedded in NAT64 (64:ff9b::/96) or 6to4 (2002::/16) addresses; IPv4-mapped is handled by BlockList. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const tail = lower.match(/^64:ff9b::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  const sixToFour = lower.match(/^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4})(?::|$)/);
  const dotted = lower.match(/^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) return dotted[1];
  const m = tail ?? sixToFour;
  if (!m?.[1] || !m[2]) return undefined;
  const hi = Number.parseInt(m[1], 16);
  const lo = Number.parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function familyOf(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 6 ? "ipv6" : "ipv4";
}

/** True for addresses in a loopback, private, link-local, CGNAT, unique-local or reserved range. */
export function isPrivateAddress(address: string): boolean {
  const family = familyOf(address);
  if (privateRanges.check(address, family)) return true;
  const v4 = family === "ipv6" ? embeddedIPv4(address) : undefined;
  return v4 !== undefined && isIP(v4) === 4 && privateRanges.check(v4, "ipv4");
}

function isMetadataAddress(address: string): boolean {
  const family = familyOf(address);
  if (metadataAddresses.check(address, family)) return true;
  const v4 = family === "ipv6" ? embeddedIPv4(address) : undefined;
  return v4 !== undefined && isIP(v4) === 4 && metadataAddresses.check(v4, "ipv4");
}

function invalid(message: string): AppError {
  return invalidField("baseUrl", message);
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

async function resolveAll(hostname: string, lookup: LookupAll) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), LOOKUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([lookup(hostname), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Validates a user-supplied base URL and returns it normalised (no trailing slash).
 * Throws AppError VALIDATION_FAILED with a message the user can act on.
 */
export async function checkBaseUrl(raw: string, options: BaseUrlOptions): Promise<string> {
  const input = raw.trim();
  if (input.length === 0)
    throw invalid("Enter the base URL of the API, for example https://api.example.com/v1.");
  if (input.length > MAX_URL_LENGTH) throw invalid("The base URL is too long.");
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid("The base URL is not a valid URL. Include the scheme, for example https://.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid("The base URL must start with http:// or https://.");
  }
  if (url.username || url.password) {
    throw invalid("The base URL must not contain a user name or password. Put the key in the API key field.");
  }
  if (url.search || url.hash) throw invalid("The base URL must not contain a query string or fragment.");

  const hostname = url.hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  if (!hostname) throw invalid("The base URL has no host name.");
  if (METADATA_HOSTS.has(hostname)) throw invalid("Cloud metadata endpoints cannot be used as a base URL.");

  const isLocalName = hostname === "localhost" || hostname.endsWith(".localhost");
  let addresses: string[];
  if (isIP(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = (await resolveAll(hostname, options.lookup ?? defaultLookup)).map((a) => a.address);
    } catch {
      throw invalid(`The host name "${hostname}" could not be resolved.`);
    }
    if (addresses.length === 0) throw invalid(`The host name "${hostname}" could not be resolved.`);
  }

  if (addresses.some(isMetadataAddress))
    throw invalid("Cloud metadata endpoints cannot be used as a base URL.");
  if (!options.allowPrivate && (isLocalName || addresses.some(isPrivateAddress))) {
    throw invalid(
      "The base URL points to a private, local or reserved network address, which this server does not allow. Use a public https:// endpoint.",
    );
  }
  return url.toString().replace(/\/+$/, "");
}
