import { createHash, randomBytes } from "node:crypto";

// Single-use links (invites, password resets, email-change confirmations): 256 random bits in the link, only their SHA-256
// in the database, so a leaked database row cannot be turned back into a working link.

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The shape newToken() makes: 32 random bytes, base64url. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A token as it may arrive from a URL or form: the shape newToken() makes, or null. */
export function parseToken(raw: unknown): string | null {
  return typeof raw === "string" && TOKEN_PATTERN.test(raw) ? raw : null;
}
