import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "@/lib/csrf";
import { loadAppManifest } from "@/test/manifest";

const APP = "https://chat.example.com";
const check = (headers: Record<string, string>) => isSameOriginRequest(new Headers(headers), APP);

describe("the CSRF rule", () => {
  it("accepts the configured Origin, and no Origin with Sec-Fetch-Site: same-origin", () => {
    expect(check({ origin: APP })).toBe(true);
    expect(check({ origin: APP, "sec-fetch-site": "same-origin" })).toBe(true);
    expect(check({ "sec-fetch-site": "same-origin" })).toBe(true);
  });

  it("refuses every other combination", () => {
    const refused: Record<string, string>[] = [
      {},
      { origin: "null" },
      { origin: "https://evil.example" },
      { origin: "https://evil.example", "sec-fetch-site": "same-origin" },
      { origin: "null", "sec-fetch-site": "same-origin" },
      { origin: APP, "sec-fetch-site": "cross-site" },
      { origin: APP, "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "none" },
      { "sec-fetch-site": "cross-site" },
      // Not the same origin: scheme, port, a sub-domain, a trailing slash or path, case.
      { origin: "http://chat.example.com" },
      { origin: "https://chat.example.com:8443" },
      { origin: "https://www.chat.example.com" },
      { origin: `${APP}/` },
      { origin: "HTTPS://CHAT.EXAMPLE.COM" },
      { origin: "http://localhost:3000" },
      // Forwarded headers are never read here.
      { origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      { "x-forwarded-host": "chat.example.com" },
      { host: "evil.example", origin: "http://evil.example" },
    ];
    for (const headers of refused) expect(check(headers), JSON.stringify(headers)).toBe(false);
  });
});

// Every server action under app/ (from the manifest, so a new one is held to it from its first
// commit) starts with `await requireSameOrigin()`: the check that holds when proxy.ts is bypassed.
describe("server actions", () => {
  const actions = loadAppManifest().actions.filter((a) => a.source === "module");

  it("the manifest lists the app's actions", () => {
    expect(actions.length).toBeGreaterThan(0);
  });

  for (const action of actions) {
    it(`${action.name} (${action.file}) starts with await requireSameOrigin()`, () => {
      const file = path.join(loadAppManifest().root, action.file);
      const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      expect(
        firstStatementOf(sf, action.name),
        "an async function, or one made by a wrapper in its file",
      ).toBe("requireSameOrigin");
    });
  }
});

/**
 * What the action's body awaits first: an `export async function name` directly, or for
 * `export const name = wrapper(...)` the function that `wrapper` (a function declared in the same
 * file) returns — so every call of every action made by it runs the check first.
 */
function firstStatementOf(sf: ts.SourceFile, name: string): string | undefined {
  const functions = sf.statements.filter(ts.isFunctionDeclaration);
  const awaited = (body: ts.ConciseBody | undefined) => {
    const first = body && ts.isBlock(body) ? body.statements[0] : undefined;
    const call =
      first && ts.isExpressionStatement(first) && ts.isAwaitExpression(first.expression)
        ? first.expression.expression
        : undefined;
    return call && ts.isCallExpression(call) ? call.expression.getText(sf) : first?.getText(sf);
  };
  const fn = functions.find((f) => f.name?.text === name);
  if (fn) return awaited(fn.body);
  const made = sf.statements
    .filter(ts.isVariableStatement)
    .flatMap((v) => v.declarationList.declarations)
    .find((d) => ts.isIdentifier(d.name) && d.name.text === name)?.initializer;
  if (!made || !ts.isCallExpression(made) || !ts.isIdentifier(made.expression)) return undefined;
  const wrapperName = made.expression.text;
  const wrapper = functions.find((f) => f.name?.text === wrapperName);
  const returned = wrapper?.body?.statements.find(ts.isReturnStatement)?.expression;
  if (!returned || !(ts.isArrowFunction(returned) || ts.isFunctionExpression(returned))) return undefined;
  if (!returned.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return undefined;
  return awaited(returned.body);
}
