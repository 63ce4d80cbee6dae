import { isIP } from "node:net";
import { type AppError, invalidField } from "@/lib/errors";
import { type LookupAll, systemLookup } from "@/lib/net/dispatcher";
import { classifyAddress, isLocalName, METADATA_HOSTS } from "@/lib/net/guard";

// A user-supplied base URL receives the user's key and is fetched by our server, so it is an
// SSRF vector. This is the friendly early check at save/use time, with the same classifier as
// the connect-time guard (lib/net): only global unicast addresses pass, unless the operator
// allowed private networks (embedded/self-hosted installs talking to a local Ollama or LM
// Studio). Link-local and cloud metadata endpoints are refused even then. The connection itself
// goes through lib/net's guarded dispatcher, which checks again what DNS answers at that moment.

export type { LookupAll };

export type BaseUrlOptions = { allowPrivate: boolean; lookup?: LookupAll };

const MAX_URL_LENGTH = 2048;
const LOOKUP_TIMEOUT_MS = 5000;

/** True unless the address is global unicast (and not this host's own). */
export function isPrivateAddress(address: string): boolean {
  return classifyAddress(address).verdict !== "public";
}

function invalid(message: string): AppError {
  return invalidField("baseUrl", message);
}

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

  let addresses: string[];
  if (isIP(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = (await resolveAll(hostname, options.lookup ?? systemLookup)).map((a) => a.address);
    } catch {
      throw invalid(`The host name "${hostname}" could not be resolved.`);
    }
    if (addresses.length === 0) throw invalid(`The host name "${hostname}" could not be resolved.`);
  }

  const verdicts = addresses.map((a) => classifyAddress(a));
  if (verdicts.some((v) => v.verdict === "blocked" && v.reason.includes("metadata")))
    throw invalid("Cloud metadata endpoints cannot be used as a base URL.");
  if (verdicts.some((v) => v.verdict === "blocked")) {
    throw invalid(
      "The base URL points to a private, local or reserved network address, which this server does not allow. Use a public https:// endpoint.",
    );
  }
  if (!options.allowPrivate && (verdicts.some((v) => v.verdict === "private") || isLocalName(hostname))) {
    // A local model server (Ollama, LM Studio, vLLM) is a private address: only the operator can
    // allow those, and the user should know whom to ask.
    throw invalid(
      "The base URL points to a private, local or reserved network address, which this server does not allow. Use a public https:// endpoint, or ask the operator to set ALLOW_PRIVATE_BASE_URLS=true (for a model server on their own network).",
    );
  }
  return url.toString().replace(/\/+$/, "");
}
