import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { env } from "@/lib/env";
import {
  addressAllowed,
  BlockedAddressError,
  classifyAddress,
  type GuardPolicy,
  ownAddresses,
} from "./guard";

// The one way our server connects to a user-supplied URL. The address check happens where the
// socket is opened: every address DNS answers for the host is classified right before the
// connection (so a name that resolved to a public address when the URL was saved and to
// loopback now — DNS rebinding — is refused), IP literals (which skip DNS) are classified
// before connecting, and the connected socket's peer is checked once more. Redirects are never
// followed: provider APIs do not redirect, and a redirect could bounce us to an internal host.

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type GuardOptions = GuardPolicy & {
  /** DNS resolver; defaults to the system's (getaddrinfo). Tests pass a stub. */
  lookup?: LookupAll;
  /** This host's addresses; defaults to os.networkInterfaces(), read at each connection. */
  own?: () => Set<string>;
};

const CONNECT_TIMEOUT_MS = 10_000;

export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
}

/** A net.connect `lookup` that resolves, then refuses the whole answer if any address is refused. */
function guardedLookup(opts: GuardOptions): LookupFunction {
  const resolve = opts.lookup ?? systemLookup;
  const own = opts.own ?? ownAddresses;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const mine = own();
        const refused = answers.find((a) => !addressAllowed(a.address, opts, mine));
        if (refused)
          return callback(new BlockedAddressError(hostname, classifyAddress(refused.address, mine)), "");
        const wanted = options.family ? answers.filter((a) => a.family === options.family) : answers;
        const first = wanted[0];
        if (!first) return callback(notFound(hostname), "");
        // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if (options.all) return (callback as (e: null, a: typeof wanted) => void)(null, wanted);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

/** An undici Agent whose every connection passes the guard. */
export function createGuardedDispatcher(opts: GuardOptions): Agent {
  const own = opts.own ?? ownAddresses;
  const connector = buildConnector({ lookup: guardedLookup(opts), timeout: CONNECT_TIMEOUT_MS });
  return new Agent({
    connect(options, callback) {
      const host = options.hostname.replace(/^\[(.*)\]$/, "$1");
      if (isIP(host) && !addressAllowed(host, opts, own())) {
        return callback(new BlockedAddressError(host, classifyAddress(host, own())), null);
      }
      connector(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error("connect failed"), null);
        const peer = socket.remoteAddress;
        if (peer && !addressAllowed(peer, opts, own())) {
          socket.destroy();
          return callback(new BlockedAddressError(peer, classifyAddress(peer, own())), null);
        }
        return callback(null, socket);
      });
    },
  });
}

/**
 * A fetch that goes through a guarded dispatcher and refuses redirects: hand it to the AI SDK
 * providers (`createOpenAI({ fetch })`) and to raw calls. undici's own fetch, because the
 * runtime's global fetch may bundle another undici that ignores this dispatcher.
 */
export function createGuardedFetch(opts: GuardOptions): typeof fetch {
  const dispatcher = createGuardedDispatcher(opts);
  const guarded = (input: string | URL | Request, init?: RequestInit) => {
    if (typeof input !== "string" && !(input instanceof URL)) {
      throw new TypeError("The guarded fetch takes a URL, not a Request.");
    }
    return undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      redirect: "error",
      dispatcher,
    });
  };
  return guarded as unknown as typeof fetch;
}

const g = globalThis as unknown as { __byokGuardedFetch?: Map<boolean, typeof fetch> };

/**
 * The process-wide guarded fetch for user-supplied URLs, under the operator's
 * ALLOW_PRIVATE_BASE_URLS (read per call, so it follows the validated environment).
 * One Agent per setting, shared by every bundle (connection pooling survives across requests).
 */
export const userUrlFetch: typeof fetch = (input, init) => {
  const allowPrivate = env().ALLOW_PRIVATE_BASE_URLS;
  g.__byokGuardedFetch ??= new Map();
  let f = g.__byokGuardedFetch.get(allowPrivate);
  if (!f) {
    f = createGuardedFetch({ allowPrivate });
    g.__byokGuardedFetch.set(allowPrivate, f);
  }
  return f(input, init);
};
