import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { Agent, type Dispatcher } from "undici";

// The streaming client: one HTTP request, timestamped at send, at response headers, and at
// every SSE event that carries a token. Times are performance.now() milliseconds (sub-ms).

export type StreamRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Marks an SSE event as a token frame (a text delta in that arm's wire format). */
  isToken: (event: string) => boolean;
};

export type StreamResult = {
  ok: boolean;
  status: number;
  error?: string;
  start: number;
  headers: number;
  /** Timestamps of token frames. */
  tokens: number[];
  end: number;
  /** Set when the client aborted on purpose (abortAfterTokens). */
  abortedAt?: number;
  abortedAtEpochMs?: number;
};

export function makeAgent(): Agent {
  // No per-origin connection cap: concurrency is what the phase asks for, not a pool limit.
  return new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 30_000, bodyTimeout: 120_000 });
}

export async function runStream(
  agent: Dispatcher,
  req: StreamRequest,
  opts: {
    abortAfterTokens?: number;
    expectTokens?: number;
    /** Ends the stream from outside (counted as a deliberate abort, not an error). */
    signal?: AbortSignal;
    onToken?: (count: number) => void;
  } = {},
): Promise<StreamResult> {
  const ac = new AbortController();
  const result: StreamResult = {
    ok: false,
    status: 0,
    start: performance.now(),
    headers: 0,
    tokens: [],
    end: 0,
  };
  const stopFromOutside = () => {
    result.abortedAt ??= performance.now();
    result.abortedAtEpochMs ??= Date.now();
    ac.abort();
  };
  opts.signal?.addEventListener("abort", stopFromOutside, { once: true });
  const url = new URL(req.url);
  try {
    const res = await agent.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: "POST",
      headers: req.headers,
      body: req.body,
      signal: ac.signal,
    });
    result.headers = performance.now();
    result.status = res.statusCode;
    if (res.statusCode !== 200) {
      result.error = `HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`;
      result.end = performance.now();
      return result;
    }
    let buffer = "";
    const source = decoded(res.body, res.headers["content-encoding"]);
    await new Promise<void>((resolve, reject) => {
      source.setEncoding("utf8");
      source.on("data", (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          if (req.isToken(buffer.slice(0, cut))) {
            result.tokens.push(now);
            opts.onToken?.(result.tokens.length);
          }
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
        }
        if (
          opts.abortAfterTokens !== undefined &&
          result.tokens.length >= opts.abortAfterTokens &&
          !result.abortedAt
        ) {
          result.abortedAt = performance.now();
          result.abortedAtEpochMs = Date.now();
          ac.abort();
          resolve();
        }
      });
      source.on("end", () => resolve());
      source.on("error", (e) => (result.abortedAt ? resolve() : reject(e)));
      if (source !== res.body) res.body.on("error", (e) => (result.abortedAt ? resolve() : reject(e)));
      if (ac.signal.aborted) resolve();
      ac.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    result.end = performance.now();
    const want = opts.expectTokens;
    result.ok = result.abortedAt !== undefined || want === undefined || result.tokens.length === want;
    if (!result.ok) result.error = `got ${result.tokens.length} token frames, expected ${want}`;
  } catch (e) {
    result.end = performance.now();
    if (result.abortedAt) result.ok = true;
    else result.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    opts.signal?.removeEventListener("abort", stopFromOutside);
  }
  return result;
}

/** A browser asks for compression; if the server applies it to the stream, undo it per chunk. */
function decoded(body: Readable, encoding: string | string[] | undefined): Readable {
  if (encoding === "gzip") return body.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH }));
  if (encoding === "deflate") return body.pipe(zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH }));
  if (encoding === "br") {
    return body.pipe(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH }));
  }
  return body;
}

export const ttftOf = (r: StreamResult) => (r.tokens[0] ?? Number.NaN) - r.start;

export function gapsOf(r: StreamResult): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < r.tokens.length; i++) gaps.push((r.tokens[i] as number) - (r.tokens[i - 1] as number));
  return gaps;
}
