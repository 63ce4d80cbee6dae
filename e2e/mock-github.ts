import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A GitHub Enterprise Server stand-in for the OAuth e2e: the three endpoints next-auth's GitHub
// provider calls under AUTH_GITHUB_ENTERPRISE_URL, with GitHub's wire format (authorize redirect
// with code + state, form-encoded token exchange answering JSON, Bearer-authenticated /user).
// Who "signs in" is set by the test before each click (`as`), as a person picking an account on
// github.com would. node:http on loopback only.

export type GitHubUser = { id: number; login: string; email: string | null; name: string | null };

export type MockGitHub = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The identity the next authorization answers with. */
  as(user: GitHubUser): void;
  close(): Promise<void>;
};

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      data += c;
    });
    req.on("end", () => resolve(data));
  });
}

export async function startMockGitHub(): Promise<MockGitHub> {
  const clientId = `Iv1.${randomBytes(8).toString("hex")}`;
  const clientSecret = randomBytes(20).toString("hex");
  let next: GitHubUser | null = null;
  const codes = new Map<string, GitHubUser>();
  const tokens = new Map<string, GitHubUser>();

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const redirect = url.searchParams.get("redirect_uri");
      if (url.searchParams.get("client_id") !== clientId || !redirect || !next)
        return json(400, { error: "bad" });
      const code = randomBytes(10).toString("hex");
      codes.set(code, next);
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      const state = url.searchParams.get("state");
      if (state) back.searchParams.set("state", state);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(await body(req));
      // next-auth sends the client's credentials as HTTP Basic (client_secret_basic).
      const basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
      const user = codes.get(form.get("code") ?? "");
      if (req.headers.authorization !== `Basic ${basic}` || !user) {
        return json(200, { error: "bad_verification_code" });
      }
      codes.delete(form.get("code") ?? "");
      const token = `gho_${randomBytes(16).toString("hex")}`;
      tokens.set(token, user);
      return json(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    const user = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (req.method === "GET" && url.pathname === "/api/v3/user") {
      if (!user) return json(401, { message: "Bad credentials" });
      return json(200, { ...user, avatar_url: null });
    }
    if (req.method === "GET" && url.pathname === "/api/v3/user/emails") {
      if (!user) return json(401, { message: "Bad credentials" });
      return json(200, user.email ? [{ email: user.email, primary: true, verified: true }] : []);
    }
    json(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    clientSecret,
    as(user) {
      next = user;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
