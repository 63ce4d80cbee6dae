import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hashToken } from "@/lib/tokens";
import { codeOf } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import {
  API_TOKEN_PATTERN,
  checkTokenScope,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type TokenDeps,
  verifyApiToken,
} from "./tokens";

vi.mock("server-only", () => ({}));

// Personal API tokens against a real migrated database: what is stored, who a token acts for,
// and every way it stops working (revoked, expired, disabled or deleted account).

let h: Harness;
let deps: TokenDeps;
beforeAll(async () => {
  h = await startHarness();
  deps = { db: h.handle.prisma };
});
afterAll(() => h?.close());

const bearer = (t: string) => `Bearer ${t}`;

describe("creating a token", () => {
  it("returns the token once and stores only its hash, preview and scope", async () => {
    const userId = await h.newUser();
    const { token, dto } = await createApiToken(
      userId,
      { name: " CI job ", providers: ["groq"], models: ["groq/llama-3.3-70b-versatile"], expiresInDays: 30 },
      { ip: "198.51.100.9", userAgent: "vitest" },
      deps,
    );
    expect(token).toMatch(API_TOKEN_PATTERN);
    expect(dto).toMatchObject({
      name: "CI job",
      preview: `byok_…${token.slice(-4)}`,
      readOnly: false,
      providers: ["groq"],
      models: ["groq/llama-3.3-70b-versatile"],
      state: "active",
      lastUsedAt: null,
    });
    expect(new Date(dto.expiresAt ?? 0).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const row = await h.handle.prisma.apiToken.findFirstOrThrow({ where: { userId } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(5, -4));
    const audit = await h.handle.prisma.auditEvent.findMany({ where: { userId } });
    expect(audit).toEqual([
      expect.objectContaining({ action: "token.created", last4: token.slice(-4), ip: "198.51.100.9" }),
    ]);
    expect(JSON.stringify(audit)).not.toContain(token.slice(5, -4));
    // Two tokens never collide.
    const second = await createApiToken(userId, { name: "other" }, undefined, deps);
    expect(second.token).not.toBe(token);
  });

  it("refuses bad input: no name, an unknown expiry, a model outside the chosen providers", async () => {
    const userId = await h.newUser();
    expect(await codeOf(createApiToken(userId, { name: "  " }, undefined, deps))).toBe("VALIDATION_FAILED");
    expect(await codeOf(createApiToken(userId, { name: "x", expiresInDays: 3 }, undefined, deps))).toBe(
      "VALIDATION_FAILED",
    );
    expect(
      await codeOf(
        createApiToken(userId, { name: "x", providers: ["groq"], models: ["openai/gpt-5"] }, undefined, deps),
      ),
    ).toBe("VALIDATION_FAILED");
    expect(await h.handle.prisma.apiToken.count({ where: { userId } })).toBe(0);
  });
});

describe("verifying a token", () => {
  it("answers who the token acts for and what it may do, and stamps last use", async () => {
    const userId = await h.newUser();
    const { token } = await createApiToken(userId, { name: "laptop", readOnly: true }, undefined, deps);
    const caller = await verifyApiToken(bearer(token), deps);
    expect(caller).toMatchObject({ userId, name: "laptop", readOnly: true, last4: token.slice(-4) });
    const [listed] = await listApiTokens(userId, deps);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it("refuses a missing header, another scheme, a malformed, an unknown and a tampered token", async () => {
    const userId = await h.newUser();
    const { token } = await createApiToken(userId, { name: "t" }, undefined, deps);
    const flipped = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const header of [
      null,
      "",
      token,
      `Basic ${token}`,
      "Bearer",
      "Bearer byok_short",
      bearer(flipped),
      bearer(`byok_${"x".repeat(43)}`),
    ]) {
      expect(await codeOf(verifyApiToken(header, deps)), String(header)).toBe("UNAUTHORIZED");
    }
  });

  it("stops working once revoked, and revoking is owner-only and idempotent", async () => {
    const owner = await h.newUser();
    const other = await h.newUser();
    const { token, dto } = await createApiToken(owner, { name: "to revoke" }, undefined, deps);
    await verifyApiToken(bearer(token), deps);
    expect(await codeOf(revokeApiToken(other, dto.id, undefined, deps))).toBe("NOT_FOUND");
    await verifyApiToken(bearer(token), deps); // still works: the other user could not revoke it
    const revoked = await revokeApiToken(owner, dto.id, undefined, deps);
    expect(revoked).toMatchObject({ state: "revoked" });
    expect(await codeOf(verifyApiToken(bearer(token), deps))).toBe("UNAUTHORIZED");
    expect((await revokeApiToken(owner, dto.id, undefined, deps)).state).toBe("revoked");
    const actions = (await h.handle.prisma.auditEvent.findMany({ where: { userId: owner } })).map(
      (a) => a.action,
    );
    expect(actions.sort()).toEqual(["token.created", "token.revoked"]);
  });

  it("stops working when it expires", async () => {
    const userId = await h.newUser();
    const { token } = await createApiToken(userId, { name: "week", expiresInDays: 7 }, undefined, deps);
    const later = (days: number) => ({ ...deps, now: () => new Date(Date.now() + days * 86_400_000) });
    await verifyApiToken(bearer(token), later(6));
    expect(await codeOf(verifyApiToken(bearer(token), later(8)))).toBe("UNAUTHORIZED");
    expect((await listApiTokens(userId, later(8)))[0]?.state).toBe("expired");
  });

  it("stops working at once for a disabled account, again when re-enabled, and with a deleted account", async () => {
    const userId = await h.newUser();
    const { token } = await createApiToken(userId, { name: "t" }, undefined, deps);
    await verifyApiToken(bearer(token), deps);
    await h.handle.prisma.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
    expect(await codeOf(verifyApiToken(bearer(token), deps))).toBe("UNAUTHORIZED");
    await h.handle.prisma.user.update({ where: { id: userId }, data: { disabledAt: null } });
    await verifyApiToken(bearer(token), deps);
    await h.handle.prisma.user.delete({ where: { id: userId } });
    expect(await codeOf(verifyApiToken(bearer(token), deps))).toBe("UNAUTHORIZED");
    expect(await h.handle.prisma.apiToken.count({ where: { userId } })).toBe(0);
  });
});

describe("scope", () => {
  const caller = (over: Partial<Parameters<typeof checkTokenScope>[0]> = {}) => ({
    tokenId: "t",
    userId: "u",
    name: "n",
    last4: "abcd",
    readOnly: false,
    providers: [] as string[],
    models: [] as string[],
    ...over,
  });

  it("an unscoped token runs any model; a read-only one runs none", async () => {
    expect(() => checkTokenScope(caller(), "openai", "gpt-5")).not.toThrow();
    expect(await codeOf(() => checkTokenScope(caller({ readOnly: true }), "openai", "gpt-5"))).toBe(
      "FORBIDDEN",
    );
  });

  it("providers and models narrow what it may run", async () => {
    const groqOnly = caller({ providers: ["groq"] });
    expect(() => checkTokenScope(groqOnly, "groq", "llama-3.1-8b-instant")).not.toThrow();
    expect(await codeOf(() => checkTokenScope(groqOnly, "openai", "gpt-5"))).toBe("FORBIDDEN");
    const oneModel = caller({ models: ["groq/openai/gpt-oss-20b"] });
    expect(() => checkTokenScope(oneModel, "groq", "openai/gpt-oss-20b")).not.toThrow();
    expect(await codeOf(() => checkTokenScope(oneModel, "groq", "llama-3.1-8b-instant"))).toBe("FORBIDDEN");
  });
});
