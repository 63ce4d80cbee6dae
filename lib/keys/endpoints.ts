import { AppError, invalidField } from "@/lib/errors";

// Several named OpenAI-compatible endpoints per user. An endpoint is not a table of its own: it
// is the user's `compatible` keys that share one base URL, in the order they are tried. Its name
// is its first key's label (else the URL's host), unique per user among endpoints; any of its
// keys' ids addresses it. A chat naming an endpoint runs on its keys only (order.chatCandidates):
// failover never moves to another server. Browser-safe: no server-only imports.

type EndpointKey = { id: string; label?: string | null; baseUrl?: string | null };

export type Endpoint<T extends EndpointKey> = {
  /** Its first key's id: how the picker and the settings page address it. */
  id: string;
  name: string;
  baseUrl: string | null;
  /** Its keys, in the order they are tried. */
  rows: T[];
};

export function hostOf(baseUrl: string | null | undefined): string {
  if (!baseUrl) return "";
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The endpoint's name: its first key's label, else the host of its base URL. */
export function endpointName(first: { label?: string | null; baseUrl?: string | null }): string {
  return first.label?.trim() || hostOf(first.baseUrl) || "OpenAI-compatible";
}

/** The user's `compatible` keys (in order) grouped by base URL, endpoints in their first key's order. */
export function groupEndpoints<T extends EndpointKey>(rows: readonly T[]): Endpoint<T>[] {
  const out: Endpoint<T>[] = [];
  for (const r of rows) {
    const url = r.baseUrl ?? null;
    const found = out.find((e) => e.baseUrl === url);
    if (found) found.rows.push(r);
    else out.push({ id: r.id, name: endpointName(r), baseUrl: url, rows: [r] });
  }
  return out;
}

/** The endpoint one of the user's keys belongs to; null when the id is none of `rows`. */
export function endpointOf<T extends EndpointKey>(rows: readonly T[], keyId: string): Endpoint<T> | null {
  return groupEndpoints(rows).find((e) => e.rows.some((r) => r.id === keyId)) ?? null;
}

/** The endpoint with this name (names compare case-insensitively, trimmed). */
export function endpointNamed<T extends EndpointKey>(rows: readonly T[], name: string): Endpoint<T> | null {
  const want = name.trim().toLowerCase();
  return groupEndpoints(rows).find((e) => e.name.toLowerCase() === want) ?? null;
}

/** The name an answer shows: the endpoint's, plus the key's when it is not the endpoint's first. */
export function endpointKeyLabel<T extends EndpointKey>(
  rows: readonly T[],
  keyId: string,
  keyName: string,
): string | undefined {
  const e = endpointOf(rows, keyId);
  if (!e) return undefined;
  return e.id === keyId ? e.name : `${e.name} · ${keyName}`;
}

/**
 * The rules for saving a `compatible` key (saveKey, inside its transaction): a key with a base
 * URL no other key has starts a new endpoint, which needs a name (when added next to others)
 * unused by the user's other endpoints; a key ADDED for an existing endpoint's URL joins it.
 * A REPLACED key (`replacing`: its base URL until now) keeps its endpoint, or moves to a new URL;
 * it is refused (CONFLICT on baseUrl, naming the endpoint) when the URL is another endpoint's:
 * keys sharing a base URL are one endpoint, so that would silently merge the two.
 * `others`: the user's compatible keys except the one being replaced.
 */
export function checkEndpointSave(
  others: readonly EndpointKey[],
  input: { baseUrl: string; label?: string; adding: boolean; replacing?: string | null },
): void {
  const endpoints = groupEndpoints(others);
  const joined = endpoints.find((e) => e.baseUrl === input.baseUrl);
  if (joined) {
    if (input.replacing === undefined || input.replacing === input.baseUrl) return; // a key of that endpoint
    throw endpointUrlTaken(joined.name);
  }
  if (input.adding && endpoints.length > 0 && !input.label)
    throw invalidField("label", "Name the endpoint (for example Ollama), so chats can tell it apart.");
  checkEndpointName(endpoints, endpointName({ label: input.label ?? null, baseUrl: input.baseUrl }));
}

/**
 * A name an endpoint may take: no "/" (it ends the name in a /v1 model id,
 * `compatible:<name>/<model>`), and not another of the user's endpoints' (case-insensitively).
 */
export function checkEndpointName(others: readonly Endpoint<EndpointKey>[], name: string): void {
  if (name.includes("/"))
    throw invalidField("label", "An endpoint name cannot contain “/” (API model ids use it after the name).");
  const taken = others.find((e) => e.name.toLowerCase() === name.toLowerCase());
  if (taken)
    throw new AppError(
      "CONFLICT",
      `You already have an endpoint named “${taken.name}”. Choose another name.`,
      {
        issues: [{ path: "label", message: `You already have an endpoint named “${taken.name}”.` }],
      },
    );
}

/** The refusal for a replaced key sent with the base URL of another of the user's endpoints. */
export function endpointUrlTaken(name: string): AppError {
  const message = `That is the base URL of your endpoint “${name}”. To add a key to it, use “Add another key” on ${name}.`;
  return new AppError("CONFLICT", message, { issues: [{ path: "baseUrl", message }] });
}
