import { type Algorithm, hash, verify } from "@node-rs/argon2";

// Argon2id at the OWASP minimum (19 MiB, 2 passes, 1 lane). The parameters travel inside each
// hash, so raising them later still verifies old hashes.
const OPTIONS = {
  algorithm: 2 as Algorithm, // Argon2id (a const enum, unreadable under isolatedModules)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

const g = globalThis as unknown as { __byokDummyHash?: Promise<string> };

// Unknown emails and password-less (OAuth-only) users are checked against this hash so that
// every failed sign-in costs the same time as a real one.
export function dummyHash(): Promise<string> {
  g.__byokDummyHash ??= hash(crypto.randomUUID(), OPTIONS);
  return g.__byokDummyHash;
}

/** Verifies `password` against `stored`; with no stored hash it burns the same work and fails. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    await verify(await dummyHash(), password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash is a failed sign-in, not a crash
  }
}
