// Request plumbing of the mock upstream: which provider/API a path is, where the key is, JSON I/O.

export const num = (v, d) =>
  v === undefined || v === null || v === "" || Number.isNaN(Number(v)) ? d : Number(v);

/** Which provider and API a request is for, from its method and path. */
export function routeOf(method, pathname, search) {
  const g = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(pathname);
  if (method === "POST" && g) {
    const stream = g[2] === "streamGenerateContent";
    return {
      provider: "google",
      api: "gemini",
      kind: "generate",
      model: g[1],
      stream,
      sseOk: !stream || /(^|[?&])alt=sse(&|$)/.test(search),
    };
  }
  if (method === "GET" && pathname === "/v1beta/models")
    return { provider: "google", api: "gemini", kind: "models" };
  const m = /^(.*)\/(responses|chat\/completions|models)$/.exec(pathname);
  if (!m) return null;
  const provider = m[1] === "/v1" ? "openai" : m[1] === "/openai/v1" ? "groq" : "compatible";
  if (method === "GET" && m[2] === "models") return { provider, api: "chat", kind: "models" };
  if (method === "POST" && m[2] === "chat/completions") return { provider, api: "chat", kind: "generate" };
  if (method === "POST" && m[2] === "responses" && provider !== "groq")
    return { provider, api: "responses", kind: "generate" };
  return null;
}

export function keyOf(req, route, url) {
  if (route.provider === "google")
    return req.headers["x-goog-api-key"] || url.searchParams.get("key") || null;
  const auth = req.headers.authorization ?? "";
  return auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() || null : null;
}

export async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 5_000_000) throw new Error("too large");
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : {};
}

export const sendJson = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
