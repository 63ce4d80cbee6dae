import { readFileSync } from "node:fs";
import path from "node:path";
import { type APIResponse, expect, test } from "@playwright/test";
import { encode } from "next-auth/jwt";
import { loadAppManifest, samplePath } from "../test/manifest";
import { serverStatePath } from "./server-log.mjs";

// Every entry point of the app, refused without a usable session. The list comes from the app
// tree and the build (test/manifest.ts) when this file loads, so a new route handler, page or
// server action is in this matrix from its first commit. Entry points public by design (the
// sign-in and sign-up group, next-auth's own endpoints) are named in PUBLIC_ENTRY_POINTS there.
//
// Two callers, each sent the way the app's own client sends the request:
//  - "signed out": no session cookie. Pages and actions are first met by proxy.ts's optimistic
//    redirect; route handlers (the proxy skips /api) answer for themselves.
//  - "unknown user": a session cookie signed with the server's secret that names no user (a
//    subject, no email). proxy.ts only checks for a signed subject and lets it through, so the
//    refusal must come from the page's, action's or handler's own requireUser/requireApiUser:
//    the check that still holds when the proxy is bypassed or mis-configured.

const manifest = loadAppManifest();
const userRoutes = manifest.routes.filter((r) => r.access === "user");
const userPages = manifest.pages.filter((p) => p.access === "user");
const publicPages = manifest.pages.filter((p) => p.access === "public");
const userActions = manifest.actions.filter((a) => a.access === "user");
/** The OpenAI-compatible API: a bearer token only; a cookie (even a valid one) counts for nothing. */
const tokenRoutes = manifest.routes.filter((r) => r.access === "token");
/** Bench-only handlers: the e2e server runs without BYOK_BENCH_ROUTES, so they must not exist. */
const benchRoutes = manifest.routes.filter((r) => r.access === "bench");

/** Values for dynamic segments whose names the app uses; any other segment gets a probe value. */
const SAMPLE_PARAMS = { provider: "openai", id: "matrixprobe1" };
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const SESSION_COOKIE = "authjs.session-token";

type Caller = {
  name: string;
  cookie: () => Promise<string | undefined>;
  /** The proxy lets this caller through: refusals come from the entry point itself. */
  pastProxy: boolean;
};

async function unknownUserCookie(): Promise<string> {
  const { dataDir } = JSON.parse(readFileSync(serverStatePath(), "utf8")) as { dataDir: string };
  const secret = process.env.AUTH_SECRET ?? readFileSync(path.join(dataDir, "auth.secret"), "utf8").trim();
  const token = await encode({ token: { sub: "matrix-unknown-user" }, secret, salt: SESSION_COOKIE });
  return `${SESSION_COOKIE}=${token}`;
}

const CALLERS: Caller[] = [
  { name: "signed out", cookie: async () => undefined, pastProxy: false },
  { name: "unknown user", cookie: unknownUserCookie, pastProxy: true },
];

/** Where a refusal sends the caller: an HTTP redirect, or a server action's redirect instruction. */
function redirectTarget(res: APIResponse, baseURL: string): string | null {
  if (REDIRECT.has(res.status())) return new URL(res.headers().location ?? "", baseURL).pathname;
  const action = res.headers()["x-action-redirect"];
  if (res.status() === 200 && action) return new URL(action.split(";")[0] ?? "", baseURL).pathname;
  return null;
}

test("the manifest lists this app's entry points (the matrix is not empty)", () => {
  expect(manifest.build.found, `no build at ${manifest.build.dir}: run npm run build`).toBe(true);
  expect(userRoutes.length).toBeGreaterThan(0);
  expect(tokenRoutes.map((r) => r.pattern)).toEqual(["/v1/chat/completions", "/v1/models"]);
  expect(userPages.length).toBeGreaterThan(0);
  expect(publicPages.length).toBeGreaterThan(0);
  expect(userActions.length).toBeGreaterThan(0);
});

for (const caller of CALLERS) {
  test.describe(`${caller.name}:`, () => {
    for (const route of [...userRoutes, ...benchRoutes]) {
      // A bench-only handler must not exist at all here; every other one refuses the caller.
      const want =
        route.access === "bench" ? { status: 404, code: "NOT_FOUND" } : { status: 401, code: "UNAUTHORIZED" };
      for (const method of route.methods) {
        test(`${method} ${route.pattern} answers ${want.status} ${want.code}`, async ({
          request,
          baseURL,
        }) => {
          const cookie = await caller.cookie();
          const res = await request.fetch(samplePath(route.pattern, SAMPLE_PARAMS), {
            method,
            // Same-origin and JSON, so the CSRF check passes and the session check is what answers.
            headers: { origin: new URL(baseURL as string).origin, ...(cookie ? { cookie } : {}) },
            data: WITH_BODY.has(method) ? {} : undefined,
            maxRedirects: 0,
          });
          expect(res.status()).toBe(want.status);
          expect(res.headers()["cache-control"]).toContain("no-store");
          if (method !== "HEAD") expect(await res.json()).toMatchObject({ code: want.code });
        });
      }
    }

    for (const route of tokenRoutes) {
      for (const method of route.methods) {
        for (const bearer of [undefined, "byok_notAToken", `byok_${"A".repeat(43)}`]) {
          test(`${method} ${route.pattern} with ${bearer ? "a wrong bearer token" : "no token"} answers 401 in OpenAI's shape`, async ({
            request,
            baseURL,
          }) => {
            const cookie = await caller.cookie();
            const res = await request.fetch(samplePath(route.pattern, SAMPLE_PARAMS), {
              method,
              headers: {
                origin: new URL(baseURL as string).origin,
                ...(cookie ? { cookie } : {}),
                ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
              },
              data: WITH_BODY.has(method)
                ? { model: "groq/llama-3.3-70b-versatile", messages: [] }
                : undefined,
              maxRedirects: 0,
            });
            expect(res.status()).toBe(401);
            expect(res.headers()["cache-control"]).toContain("no-store");
            expect(res.headers()["access-control-allow-origin"]).toBeUndefined();
            expect(await res.json()).toMatchObject({
              error: { code: "UNAUTHORIZED", type: "authentication_error", message: expect.any(String) },
            });
          });
        }
      }
    }

    for (const page of userPages) {
      test(`page ${page.pattern} redirects to /sign-in`, async ({ request, baseURL }) => {
        const cookie = await caller.cookie();
        const res = await request.get(samplePath(page.pattern, SAMPLE_PARAMS), {
          headers: cookie ? { cookie } : {},
          maxRedirects: 0,
        });
        expect(REDIRECT.has(res.status()), `status ${res.status()}`).toBe(true);
        expect(redirectTarget(res, baseURL as string)).toBe("/sign-in");
      });
    }

    for (const action of userActions) {
      test(`action ${action.name} (${action.file}) is refused on every page that carries it`, async ({
        request,
        baseURL,
      }) => {
        expect(
          action.id,
          "not in the build: rebuild (npm run build), or delete an exported action nothing uses",
        ).not.toBeNull();
        expect(action.pages.length, "the build names no page that carries it").toBeGreaterThan(0);
        const cookie = await caller.cookie();
        for (const page of action.pages) {
          const where = `${action.name} posted to ${page}`;
          // What Next's client sends: the action id in a header, the arguments as a JSON reply.
          const res = await request.post(samplePath(page, SAMPLE_PARAMS), {
            headers: {
              "next-action": action.id as string,
              accept: "text/x-component",
              "content-type": "text/plain;charset=UTF-8",
              origin: new URL(baseURL as string).origin,
              ...(cookie ? { cookie } : {}),
            },
            data: JSON.stringify([{}]),
            maxRedirects: 0,
          });
          expect(res.status(), where).toBeLessThan(500);
          expect(redirectTarget(res, baseURL as string), where).toBe("/sign-in");
          if (caller.pastProxy) {
            // Past the proxy: the action's own requireUser answered, with Next's action redirect.
            expect(res.status(), where).toBe(200);
            expect(res.headers()["x-action-redirect"], where).toMatch(/^\/sign-in\b/);
          }
        }
      });
    }
  });
}

for (const page of publicPages) {
  test(`signed out: public page ${page.pattern} renders`, async ({ request }) => {
    const res = await request.get(samplePath(page.pattern, SAMPLE_PARAMS), { maxRedirects: 0 });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("text/html");
  });
}
