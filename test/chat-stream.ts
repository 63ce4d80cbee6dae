import http from "node:http";
import type { ParseResult } from "@ai-sdk/provider-utils";
import { parseJsonEventStream, type UIMessageChunk, uiMessageChunkSchema } from "ai";

// Reading the chat's UI message stream as the browser does, ids the browser would send, and a
// provider that fails before it recovers.

let seq = 0;

/**
 * Reads a UI message stream (SSE bytes) the way `useChat` does: the SDK's own event-stream
 * parser and UI chunk schema. A chunk the browser would reject fails the test.
 */
export function uiChunks(stream: ReadableStream<Uint8Array>): ReadableStream<UIMessageChunk> {
  return parseJsonEventStream({ stream, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<ParseResult<UIMessageChunk>, UIMessageChunk>({
      transform(result, controller) {
        if (!result.success) throw result.error;
        controller.enqueue(result.value);
      },
    }),
  );
}

/** Reads a UI message stream to its end. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<UIMessageChunk[]> {
  const out: UIMessageChunk[] = [];
  for await (const c of uiChunks(stream) as unknown as AsyncIterable<UIMessageChunk>) out.push(c);
  return out;
}

export const textOf = (chunks: UIMessageChunk[]) =>
  chunks.map((c) => (c.type === "text-delta" ? c.delta : "")).join("");

/** A client-style id (the browser generates these). */
export const clientId = (tag = "m") =>
  `${tag}${Date.now().toString(36)}${(++seq).toString(36)}xxxxxx`.slice(0, 40);

/**
 * A pass-through proxy in front of the mock whose first `failFirst` generation requests get the
 * mock's server-error scenario (via its x-mock-scenario header): a provider that recovers.
 */
export async function flakyProxy(
  target: string,
  failFirst: number,
): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    if (req.method === "POST" && n++ < failFirst) headers["x-mock-scenario"] = "server-error";
    const up = http.request(`${target}${req.url}`, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
