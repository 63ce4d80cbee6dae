import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The route handlers' session check: a real next-auth JWE cookie, decoded for real; only the
// cookie jar (Next's request context) is supplied by the test, and decode is wrapped to count.

const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { value: jar.get(name) } : undefined) }),
}));
vi.mock("next-auth/jwt", async (importOriginal) => {
  const real = await importOriginal<typeof import("next-auth/jwt")>();
  return { ...real, decode: vi.fn(real.decode) };
});

const SECRET = "test-secret-0123456789abcdef0123456789abcdef";
const SALT = "authjs.session-token";
process.env.AUTH_SECRET = SECRET;

const { decode, encode } = await import("next-auth/jwt");
const { userFromSessionCookie } = await import("./api-session");

let n = 0;
async function signIn(maxAge = 3600) {
  const token = await encode({
    token: { sub: `user-${++n}`, email: `u${n}@example.test`, name: null, sid: `session-${n}` },
    secret: SECRET,
    salt: SALT,
    maxAge,
  });
  jar.set(SALT, token);
  return { token, id: `user-${n}` };
}

beforeEach(() => {
  jar.clear();
  vi.mocked(decode).mockClear();
});
afterEach(() => vi.useRealTimers());

describe("userFromSessionCookie", () => {
  it("verifies a cookie once and answers the same token from memory afterwards", async () => {
    const { id } = await signIn();
    expect((await userFromSessionCookie())?.id).toBe(id);
    expect((await userFromSessionCookie())?.id).toBe(id);
    expect(decode).toHaveBeenCalledTimes(1);
    // Another user's token is verified on its own.
    const other = await signIn();
    expect((await userFromSessionCookie())?.id).toBe(other.id);
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it("never remembers a token that failed: a tampered one is refused every time", async () => {
    const { token } = await signIn();
    const tampered = `${token.slice(0, -6)}${token.slice(-6) === "AAAAAA" ? "BBBBBB" : "AAAAAA"}`;
    jar.set(SALT, tampered);
    expect(await userFromSessionCookie()).toBeNull();
    expect(await userFromSessionCookie()).toBeNull();
    expect(decode).toHaveBeenCalledTimes(2);
    jar.clear();
    expect(await userFromSessionCookie()).toBeNull();
  });

  it("refuses a token without a session id (made before server-side sessions)", async () => {
    const token = await encode({
      token: { sub: "user-legacy", email: "legacy@example.test", name: null },
      secret: SECRET,
      salt: SALT,
      maxAge: 3600,
    });
    jar.set(SALT, token);
    expect(await userFromSessionCookie()).toBeNull();
  });

  it("a remembered token still ends at its own expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { id } = await signIn(30);
    expect((await userFromSessionCookie())?.id).toBe(id);
    // next-auth allows 15 s of clock skew past exp.
    vi.setSystemTime(Date.now() + 50_000);
    expect(await userFromSessionCookie()).toBeNull();
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it("re-verifies a long-lived token after at most a minute", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { id } = await signIn(3600);
    await userFromSessionCookie();
    vi.setSystemTime(Date.now() + 59_000);
    await userFromSessionCookie();
    expect(decode).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + 2_000);
    expect((await userFromSessionCookie())?.id).toBe(id);
    expect(decode).toHaveBeenCalledTimes(2);
  });
});
