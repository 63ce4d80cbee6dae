import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAppManifest, PUBLIC_ENTRY_POINTS, repoRoot, routeMethods, samplePath } from "./manifest";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A scratch repository with the given files (path → source). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "byok-manifest-"));
  temps.push(root);
  mkdirSync(path.join(root, "app"), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const PAGE = "export default function Page() { return null; }\n";

describe("the manifest of this app", () => {
  const m = loadAppManifest({ distDir: ".no-build-here" });
  const route = (pattern: string) => m.routes.find((r) => r.pattern === pattern);
  const page = (pattern: string) => m.pages.find((p) => p.pattern === pattern);

  it("finds the route handlers with the methods their modules export", () => {
    expect(route("/api/chat")?.methods).toEqual(["POST"]);
    expect(route("/api/chats")?.methods).toEqual(["GET"]);
    expect(route("/api/chats/[id]")?.methods).toEqual(["GET", "PATCH", "DELETE"]);
    expect(route("/api/chats/[id]/messages")?.methods).toEqual(["GET"]);
    expect(route("/api/keys/[provider]")?.methods).toEqual(["GET", "PUT", "PATCH", "DELETE"]);
    expect(route("/api/keys/[provider]/test")?.methods).toEqual(["POST"]);
    expect(route("/api/me")).toMatchObject({ file: "app/api/me/route.ts", methods: ["GET"], access: "user" });
    // `export const { GET, POST } = handlers`: a destructured export.
    expect(route("/api/auth/[...nextauth]")).toMatchObject({ methods: ["GET", "POST"], access: "public" });
    expect(route("/api/chats/[id]")?.segments).toEqual([
      { kind: "static", name: "api" },
      { kind: "static", name: "chats" },
      { kind: "dynamic", name: "id" },
    ]);
  });

  it("finds the pages, route groups removed, and which are behind a session", () => {
    expect(page("/chat")).toMatchObject({
      file: "app/(app)/chat/page.tsx",
      groups: ["(app)"],
      access: "user",
    });
    expect(page("/chat/[id]")?.access).toBe("user");
    expect(page("/settings/ai")?.access).toBe("user");
    expect(page("/sign-in")).toMatchObject({ groups: ["(auth)"], access: "public" });
    expect(page("/sign-up")?.access).toBe("public");
    expect(page("/")).toMatchObject({ file: "app/page.tsx", groups: [], access: "user" });
    // No private folder (_components) and no group name leaks into a URL.
    for (const p of [...m.pages, ...m.routes]) expect(p.pattern).not.toMatch(/\/[_(]/);
  });

  it("finds every export of the app's server-action modules; without a build they have no id", () => {
    const names = (file: string) =>
      m.actions
        .filter((a) => a.file === file)
        .map((a) => a.name)
        .sort();
    expect(names("app/(app)/settings/ai/actions.ts")).toEqual([
      "addKeyAction",
      "refreshModelsAction",
      "removeEndpointAction",
      "removeKeyAction",
      "removeKeyByIdAction",
      "saveKeyAction",
      "setDefaultsAction",
      "setEndpointEnabledAction",
      "setKeyLimitsAction",
      "setLimitsAction",
      "setSystemPromptAction",
      "testKeyAction",
      "testKeyByIdAction",
      "toggleKeyAction",
      "updateKeyAction",
    ]);
    expect(names("app/(auth)/actions.ts")).toEqual([
      "oauthSignInAction",
      "signInAction",
      "signOutAction",
      "signUpAction",
    ]);
    expect(m.actions.find((a) => a.name === "saveKeyAction")?.access).toBe("user");
    expect(m.actions.find((a) => a.name === "signInAction")?.access).toBe("public");
    expect(m.build.found).toBe(false);
    expect(m.actions.every((a) => a.id === null && a.pages.length === 0)).toBe(true);
  });

  it("names no public entry point that does not exist", () => {
    for (const pattern of PUBLIC_ENTRY_POINTS.routes) expect(route(pattern), pattern).toBeDefined();
    for (const pattern of PUBLIC_ENTRY_POINTS.benchRoutes) {
      expect(route(pattern), pattern).toMatchObject({ access: "bench", methods: ["POST"] });
    }
    // The OpenAI-compatible API: bearer-token routes, never cookie ("user") routes.
    expect(route("/v1/chat/completions")).toMatchObject({ access: "token", methods: ["POST"] });
    expect(route("/v1/models")).toMatchObject({ access: "token", methods: ["GET"] });
    for (const group of PUBLIC_ENTRY_POINTS.groups) {
      expect(
        m.pages.some((p) => p.groups.includes(group)),
        group,
      ).toBe(true);
    }
  });

  const built = path.join(
    repoRoot,
    process.env.NEXT_DIST_DIR || ".next",
    "server/server-reference-manifest.json",
  );
  it.runIf(existsSync(built))("maps every action of the current build to a file and its pages", () => {
    const withBuild = loadAppManifest();
    expect(withBuild.build.found).toBe(true);
    const ided = withBuild.actions.filter((a) => a.id !== null);
    expect(ided.length).toBeGreaterThan(0);
    for (const a of ided) {
      expect(existsSync(path.join(repoRoot, a.file)), a.file).toBe(true);
      expect(a.id, a.name).toMatch(/^[0-9a-f]{40,}$/);
    }
    expect(withBuild.actions.find((a) => a.name === "saveKeyAction")?.pages).toEqual(["/settings/ai"]);
  });
});

describe("the walker", () => {
  it("refuses to pass vacuously: an app tree with no route and no page is an error", () => {
    expect(() => loadAppManifest({ root: tree({ "app/_components/x.tsx": PAGE }) })).toThrow(
      /no route handler and no page/,
    );
    expect(() => loadAppManifest({ root: path.join(os.tmpdir(), "byok-manifest-none") })).toThrow(/No app\//);
  });

  it("derives URL patterns from folders: groups and slots removed, every dynamic segment kind", () => {
    const root = tree({
      "app/(shop)/(inner)/items/[id]/page.tsx": PAGE,
      "app/docs/[...slug]/page.tsx": PAGE,
      "app/files/[[...path]]/route.ts": "export async function GET() { return new Response(); }\n",
      "app/dash/@panel/stats/page.tsx": PAGE,
      "app/_private/page.tsx": PAGE,
      "app/page.tsx": PAGE,
    });
    const m = loadAppManifest({ root });
    expect(m.pages.map((p) => p.pattern)).toEqual(["/", "/dash/stats", "/docs/[...slug]", "/items/[id]"]);
    expect(m.pages.find((p) => p.pattern === "/items/[id]")?.groups).toEqual(["(shop)", "(inner)"]);
    expect(m.routes).toMatchObject([{ pattern: "/files/[[...path]]", methods: ["GET"] }]);
    expect(m.routes[0]?.segments[1]).toEqual({ kind: "optional-catch-all", name: "path" });
    expect(samplePath("/files/[[...path]]")).toBe("/files");
    expect(samplePath("/docs/[...slug]")).toBe("/docs/probe-slug");
    expect(samplePath("/items/[id]", { id: "a b" })).toBe("/items/a%20b");
    expect(samplePath("/")).toBe("/");
  });

  it("refuses intercepting routes rather than listing them under the wrong URL", () => {
    expect(() => loadAppManifest({ root: tree({ "app/feed/(..)photo/[id]/page.tsx": PAGE }) })).toThrow(
      /intercepting/,
    );
  });

  it("reads every way a module can export a method, and nothing else", () => {
    const src = [
      "export async function GET() {}",
      "export function HEAD() {}",
      "export const POST = wrap(async () => {});",
      "const handler = () => {};",
      "export { handler as DELETE };",
      "export const { PATCH, OPTIONS } = handlers;",
      "export type PUT = string;",
      "export const runtime = 'nodejs';",
      "// export function PUT() {}",
      "const s = 'export function PUT() {}';",
    ].join("\n");
    expect(routeMethods(src, "r.ts")).toEqual(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"]);
    expect(() => routeMethods("export const dynamic = 'force-dynamic';", "r.ts")).toThrow(/no HTTP method/);
    expect(() => routeMethods('export * from "./x";', "r.ts")).toThrow(/export \* from/);
  });

  it('lists the exports of "use server" modules only, wherever they live under app/', () => {
    const root = tree({
      "app/page.tsx": PAGE,
      "app/(auth)/login/actions.ts": '"use server";\nexport async function logIn() {}\n',
      "app/(app)/x/_lib/actions.ts":
        "'use strict';\n'use server';\nexport async function a() {}\nexport const b = async () => {};\nexport type T = 1;\n",
      // The directive must lead the file; a mention elsewhere is not one.
      "app/(app)/x/not-actions.ts": 'import x from "y";\n"use server";\nexport async function c() {}\n',
      "app/(app)/x/client.tsx": '"use client";\nexport function D() { return "use server"; }\n',
    });
    const m = loadAppManifest({ root });
    expect(m.actions.map((a) => `${a.access} ${a.file}#${a.name}`)).toEqual([
      "user app/(app)/x/_lib/actions.ts#a",
      "user app/(app)/x/_lib/actions.ts#b",
      "public app/(auth)/login/actions.ts#logIn",
    ]);
  });

  it("takes action ids and hosting pages from the build, and keeps inline actions found only there", () => {
    const root = tree({
      "app/(app)/s/page.tsx": PAGE,
      "app/(app)/t/[id]/page.tsx": PAGE,
      "app/(app)/s/actions.ts":
        '"use server";\nexport async function save() {}\nexport async function unused() {}\n',
    });
    const manifest = {
      node: {
        aa11: {
          workers: { "app/(app)/s/page": {}, "app/(app)/t/[id]/page": {}, "app/api/r/route": {} },
          filename: "app/(app)/s/actions.ts",
          exportedName: "save",
        },
      },
      edge: {
        bb22: {
          workers: { "app/(app)/t/[id]/page": {} },
          filename: "app/(app)/t/[id]/page.tsx",
          exportedName: "$$RSC_SERVER_ACTION_0",
        },
      },
      encryptionKey: "not-for-tests",
    };
    mkdirSync(path.join(root, "out/server"), { recursive: true });
    writeFileSync(path.join(root, "out/server/server-reference-manifest.json"), JSON.stringify(manifest));

    const m = loadAppManifest({ root, distDir: "out" });
    expect(m.build).toEqual({ dir: path.join(root, "out"), found: true });
    expect(m.actions).toEqual([
      {
        kind: "action",
        file: "app/(app)/s/actions.ts",
        name: "save",
        id: "aa11",
        pages: ["/s", "/t/[id]"],
        source: "module",
        access: "user",
      },
      // Exported but imported by nothing: Next bundles no id for it, so nothing can call it.
      expect.objectContaining({ name: "unused", id: null, pages: [] }),
      expect.objectContaining({
        name: "$$RSC_SERVER_ACTION_0",
        id: "bb22",
        pages: ["/t/[id]"],
        source: "build",
      }),
    ]);
    expect(JSON.stringify(m)).not.toContain("not-for-tests");

    const noBuild = loadAppManifest({ root, distDir: "missing" });
    expect(noBuild.build.found).toBe(false);
    expect(noBuild.actions.map((a) => [a.name, a.id])).toEqual([
      ["save", null],
      ["unused", null],
    ]);
  });
});
