import type { Page } from "@playwright/test";

/** Every response body the page receives (documents, RSC payloads, JSON, scripts). */
export function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", async (res) => {
    try {
      bodies.push(await res.text());
    } catch {
      // redirects and aborted requests have no body
    }
  });
  return bodies;
}

/**
 * The parts of a key that must never leave the server: every 10-character window of the key
 * after its public prefix, except windows inside the last 4 characters' neighbourhood that the
 * masked preview legitimately shows (the last 4 alone are shorter than a window).
 */
export function secretWindows(key: string, prefixLength: number, size = 10): string[] {
  const secret = key.slice(prefixLength);
  const out: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) out.push(secret.slice(i, i + size));
  return out;
}

export function findLeaks(texts: string[], keys: { key: string; prefix: number }[]): string[] {
  const leaks: string[] = [];
  for (const { key, prefix } of keys) {
    for (const w of secretWindows(key, prefix)) {
      if (texts.some((t) => t.includes(w))) leaks.push(`${key.slice(0, prefix)}…${w}`);
    }
  }
  return leaks;
}
