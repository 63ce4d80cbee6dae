import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// The route and action manifest: every entry point of the app, read from the app tree when a
// test runs (never listed by hand), so a matrix test that iterates it covers a new route, page or
// server action without being edited.
//
//  - route handlers: every app/**/route.ts with the HTTP methods its module exports;
//  - pages: every app/**/page.tsx with its URL pattern;
//  - server actions: every export of a "use server" file under app/, with the id Next gave it.
//
// Action ids are not derivable from source: Next hashes them at build time. They are read from
// the production build's server-reference-manifest.json (`<distDir>/server/…`, distDir from
// NEXT_DIST_DIR as next.config.ts does). Without a build every action is still listed, with
// `id: null` and no hosting pages, and `build.found` is false: enough for source-level checks,
// not for calling actions (the e2e matrices run on a build and require one).

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * "user": refuses callers without a session. "public": serves signed-out visitors by design.
 * "bench": answers 404 to everyone unless the server was started for `npm run bench`
 * (BYOK_BENCH_ROUTES=1, lib/bench-routes.ts); e2e/matrix-unauth.spec.ts holds it to that.
 * "token": the OpenAI-compatible API under /v1: a personal API token in `Authorization: Bearer`
 * only; a session cookie is ignored, and every refusal is a 401 in OpenAI's error shape.
 */
export type Access = "user" | "public" | "bench" | "token";

/**
 * The only entry points that are public by design. Everything else is treated as needing a
 * session, so a new route, page or action is checked by the matrices from its first commit.
 */
export const PUBLIC_ENTRY_POINTS = {
  /** Route groups whose pages and actions serve signed-out visitors (sign-in, sign-up, sign-out). */
  groups: ["(auth)"],
  /**
   * Route handlers that answer without a session: next-auth's own endpoints, and the liveness
   * and readiness checks a load balancer calls (they answer no user data).
   */
  routes: ["/api/auth/[...nextauth]", "/api/health", "/api/ready"],
  /** Route handlers of the benchmark only: 404 for every caller unless the bench enabled them. */
  benchRoutes: ["/api/bench/canonical", "/api/bench/floor"],
  /** URL prefix of the routes authenticated by a personal API token instead of a session. */
  tokenPrefix: "/v1/",
} as const;

export type Segment =
  | { kind: "static"; name: string }
  | { kind: "dynamic"; name: string }
  | { kind: "catch-all"; name: string }
  | { kind: "optional-catch-all"; name: string };

type Located = {
  /** Path from the repository root, with forward slashes: "app/api/chats/[id]/route.ts". */
  file: string;
  /** URL pattern with Next's segment syntax: "/api/chats/[id]". */
  pattern: string;
  segments: Segment[];
  /** Route groups on the way, outermost first: ["(app)"]. */
  groups: string[];
  access: Access;
};

export type RouteHandler = Located & { kind: "route"; methods: HttpMethod[] };
export type PageEntry = Located & { kind: "page" };
export type ServerAction = {
  kind: "action";
  file: string;
  /** The exported name; for an inline action found only in the build, Next's generated name. */
  name: string;
  /** Next's action id from the build; null when no build exists or the build does not bundle it. */
  id: string | null;
  /** URL patterns of the pages whose bundle carries the action (where Next accepts a call to it). */
  pages: string[];
  /** Where it was found: in a "use server" file's exports, or only in the build's manifest. */
  source: "module" | "build";
  access: Access;
};

export type AppManifest = {
  root: string;
  routes: RouteHandler[];
  pages: PageEntry[];
  actions: ServerAction[];
  build: { dir: string; found: boolean };
};

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const PAGE_FILE = /^page\.(tsx|ts|jsx|js|mdx)$/;
const ROUTE_FILE = /^route\.(ts|js)$/;
const SOURCE_FILE = /\.(tsx|ts|jsx|js|mjs)$/;

/** Reads the app tree (and the build, when there is one). Throws when it finds no entry point. */
export function loadAppManifest(opts: { root?: string; distDir?: string } = {}): AppManifest {
  const root = opts.root ?? repoRoot;
  const appDir = path.join(root, "app");
  if (!existsSync(appDir)) throw new Error(`No app/ directory under ${root}`);
  const routes: RouteHandler[] = [];
  const pages: PageEntry[] = [];
  const moduleActions: ServerAction[] = [];

  for (const { file, dirs } of walk(appDir, [])) {
    const rel = toPosix(path.relative(root, file));
    const base = path.basename(file);
    // Next does not route files in private folders ("_components"); they may still hold actions.
    const routable = !dirs.some((d) => d.startsWith("_"));
    if (routable && (ROUTE_FILE.test(base) || PAGE_FILE.test(base))) {
      const at = locate(rel, dirs);
      if (ROUTE_FILE.test(base)) {
        const access: Access = (PUBLIC_ENTRY_POINTS.routes as readonly string[]).includes(at.pattern)
          ? "public"
          : (PUBLIC_ENTRY_POINTS.benchRoutes as readonly string[]).includes(at.pattern)
            ? "bench"
            : at.pattern.startsWith(PUBLIC_ENTRY_POINTS.tokenPrefix)
              ? "token"
              : "user";
        routes.push({ kind: "route", ...at, access, methods: routeMethods(read(file), rel) });
      } else {
        pages.push({ kind: "page", ...at });
      }
    }
    if (SOURCE_FILE.test(base)) {
      const source = read(file);
      if (!source.includes("use server")) continue;
      const parsed = parse(source, rel);
      if (!hasDirective(parsed, "use server")) continue;
      const access = groupsOf(dirs).some(isPublicGroup) ? "public" : "user";
      for (const name of exportedNames(parsed, rel)) {
        moduleActions.push({
          kind: "action",
          file: rel,
          name,
          id: null,
          pages: [],
          source: "module",
          access,
        });
      }
    }
  }
  if (routes.length === 0 && pages.length === 0) {
    throw new Error(`Found no route handler and no page under ${appDir}: the walker is broken`);
  }

  const buildDir = path.join(root, opts.distDir ?? (process.env.NEXT_DIST_DIR || ".next"));
  const built = readBuiltActions(buildDir);
  const actions = built ? withBuildIds(moduleActions, built, pages) : moduleActions;
  const byPattern = (a: { pattern: string }, b: { pattern: string }) => a.pattern.localeCompare(b.pattern);
  return {
    root,
    routes: routes.sort(byPattern),
    pages: pages.sort(byPattern),
    actions: actions.sort((a, b) => `${a.file}#${a.name}`.localeCompare(`${b.file}#${b.name}`)),
    build: { dir: buildDir, found: built !== null },
  };
}

/** A concrete path for a pattern: each dynamic segment from `values`, else a probe value. */
export function samplePath(pattern: string, values: Record<string, string> = {}): string {
  const parts = pattern
    .split("/")
    .filter(Boolean)
    .flatMap((part) => {
      const seg = parseSegment(part);
      if (seg.kind === "static") return [part];
      const value = values[seg.name] ?? (seg.kind === "optional-catch-all" ? "" : `probe-${seg.name}`);
      return value ? [encodeURIComponent(value)] : [];
    });
  return `/${parts.join("/")}`;
}

// ---- the app tree -------------------------------------------------------------------------

type Found = { file: string; dirs: string[] };

function* walk(dir: string, dirs: string[]): Generator<Found> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full, [...dirs, entry.name]);
    } else if (entry.isFile()) {
      yield { file: full, dirs };
    }
  }
}

function locate(file: string, dirs: string[]): Located {
  const intercepting = dirs.find((d) => /^\(\.{1,3}\)/.test(d));
  // Intercepting routes render another route's URL; the manifest would list them wrongly.
  if (intercepting) throw new Error(`${file}: intercepting routes (${intercepting}) are not supported yet`);
  const urlDirs = dirs.filter((d) => !isGroup(d) && !d.startsWith("@"));
  const segments = urlDirs.map(parseSegment);
  const groups = groupsOf(dirs);
  return {
    file,
    pattern: `/${urlDirs.join("/")}`,
    segments,
    groups,
    access: groups.some(isPublicGroup) ? "public" : "user",
  };
}

const isGroup = (dir: string) => dir.startsWith("(") && dir.endsWith(")");
const groupsOf = (dirs: string[]) => dirs.filter(isGroup);
const isPublicGroup = (group: string) => (PUBLIC_ENTRY_POINTS.groups as readonly string[]).includes(group);

function parseSegment(part: string): Segment {
  let m = /^\[\[\.\.\.(.+)\]\]$/.exec(part);
  if (m?.[1]) return { kind: "optional-catch-all", name: m[1] };
  m = /^\[\.\.\.(.+)\]$/.exec(part);
  if (m?.[1]) return { kind: "catch-all", name: m[1] };
  m = /^\[(.+)\]$/.exec(part);
  if (m?.[1]) return { kind: "dynamic", name: m[1] };
  return { kind: "static", name: part };
}

// ---- module sources -----------------------------------------------------------------------

const read = (file: string) => readFileSync(file, "utf8");
const toPosix = (p: string) => p.split(path.sep).join("/");

function parse(source: string, file: string): ts.SourceFile {
  const kind = file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, kind);
}

/** A directive in the file's prologue (the leading string-literal statements), as Next reads it. */
function hasDirective(sf: ts.SourceFile, directive: string): boolean {
  for (const st of sf.statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === directive) return true;
  }
  return false;
}

const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : bindingNames(el.name)));
}

/**
 * Names of the values a module exports: `export (async) function X`, `export const X = …`,
 * `export const { X, Y } = …`, `export { a as X }`. Type-only exports are left out; a default
 * export is "default". `export * from` cannot be resolved from one file, so it is refused.
 */
export function exportedNames(sf: ts.SourceFile, file = sf.fileName): string[] {
  const names: string[] = [];
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && isExported(st)) {
      const isDefault = (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      names.push(isDefault ? "default" : (st.name?.text ?? "default"));
    } else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const decl of st.declarationList.declarations) names.push(...bindingNames(decl.name));
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
      if (!st.exportClause) throw new Error(`${file}: "export * from" cannot be listed from source`);
      if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) if (!el.isTypeOnly) names.push(el.name.text);
      } else {
        names.push(st.exportClause.name.text);
      }
    } else if (ts.isExportAssignment(st)) {
      names.push("default");
    }
  }
  return names;
}

/** The HTTP methods a route module exports, in Next's order. Throws when it exports none. */
export function routeMethods(source: string, file: string): HttpMethod[] {
  const names = new Set(exportedNames(parse(source, file), file));
  const methods = HTTP_METHODS.filter((m) => names.has(m));
  if (methods.length === 0) throw new Error(`${file}: a route module that exports no HTTP method`);
  return methods;
}

// ---- the build ----------------------------------------------------------------------------

type BuiltAction = { id: string; file: string; name: string; workers: string[] };

/** Actions in `<distDir>/server/server-reference-manifest.json`; null when there is no build. */
function readBuiltActions(buildDir: string): BuiltAction[] | null {
  const file = path.join(buildDir, "server", "server-reference-manifest.json");
  if (!existsSync(file)) return null;
  type Entry = { workers?: Record<string, unknown>; filename?: string; exportedName?: string };
  // Only the node and edge maps are read; the file also holds the action encryption key.
  const json = JSON.parse(read(file)) as { node?: Record<string, Entry>; edge?: Record<string, Entry> };
  const out: BuiltAction[] = [];
  for (const layer of [json.node ?? {}, json.edge ?? {}]) {
    for (const [id, entry] of Object.entries(layer)) {
      if (!entry.filename || !entry.exportedName)
        throw new Error(`${file}: action ${id} has no file or name`);
      out.push({
        id,
        file: toPosix(entry.filename),
        name: entry.exportedName,
        workers: Object.keys(entry.workers ?? {}),
      });
    }
  }
  return out;
}

function withBuildIds(fromSource: ServerAction[], built: BuiltAction[], pages: PageEntry[]): ServerAction[] {
  // A worker is named like its page file without the extension: "app/(app)/settings/ai/page".
  const pageByWorker = new Map(pages.map((p) => [p.file.replace(/\.[^./]+$/, ""), p.pattern]));
  const hostPages = (workers: string[]) =>
    [...new Set(workers.flatMap((w) => pageByWorker.get(w) ?? []))].sort();
  const byKey = new Map(fromSource.map((a) => [`${a.file}#${a.name}`, { ...a }]));
  for (const b of built) {
    const known = byKey.get(`${b.file}#${b.name}`);
    if (known) {
      known.id = b.id;
      known.pages = hostPages(b.workers);
    } else {
      // An inline "use server" function (no export name of its own) or one outside app/.
      const dirs = path.posix.dirname(b.file).split("/");
      byKey.set(`${b.file}#${b.name}`, {
        kind: "action",
        file: b.file,
        name: b.name,
        id: b.id,
        pages: hostPages(b.workers),
        source: "build",
        access: groupsOf(dirs).some(isPublicGroup) ? "public" : "user",
      });
    }
  }
  return [...byKey.values()];
}
