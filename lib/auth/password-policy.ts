import "server-only";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/auth/password";

// What a new password must satisfy (sign-up, password change), server-side only: the
// dictionaries are megabytes and must never reach a page bundle. The common/breached list is
// zxcvbn-ts's `passwords-common` (with its keyboard patterns, l33t and reversed variants): a
// password it estimates guessable in under a million guesses (score 0 or 1) is refused.

const MIN_SCORE = 2;

const g = globalThis as unknown as { __byokZxcvbn?: ZxcvbnFactory };
function estimator(): ZxcvbnFactory {
  g.__byokZxcvbn ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return g.__byokZxcvbn;
}

/** Parts of who the user is that a password must not contain (3+ characters each). */
function personalParts(email: string, name: string | null | undefined): string[] {
  const e = email.trim().toLowerCase();
  const local = e.split("@")[0] ?? "";
  const words = name
    ? name
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w.length >= 4)
    : [];
  const parts = [e, local, ...(name ? [name.trim().toLowerCase()] : []), ...words];
  return [...new Set(parts.filter((p) => p.length >= 3))];
}

/** Null when `password` is acceptable for this account, else the message to show. */
export function passwordProblem(
  password: string,
  who: { email: string; name?: string | null },
): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (password.trim() === "") return "A password cannot be only spaces.";
  const lower = password.toLowerCase();
  const parts = personalParts(who.email, who.name);
  if (parts.some((p) => lower.includes(p)))
    return "Your password must not contain your email address or name.";
  const { score } = estimator().check(password, parts);
  if (score < MIN_SCORE) {
    return "This password is too common or easy to guess (it matches a list of breached passwords or a simple pattern). Try a longer phrase of unrelated words.";
  }
  return null;
}
