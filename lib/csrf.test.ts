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
      const fn = sf.statements.find(
        (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === action.name,
      );
      expect(fn, "exported as an async function declaration").toBeDefined();
      const first = fn?.body?.statements[0];
      const call =
        first && ts.isExpressionStatement(first) && ts.isAwaitExpression(first.expression)
          ? first.expression.expression
          : undefined;
      expect(call && ts.isCallExpression(call) ? call.expression.getText(sf) : first?.getText(sf)).toBe(
        "requireSameOrigin",
      );
    });
  }
});
