import type { IncomingMessage } from "node:http";

export function normalizeAddress(raw: unknown): string | null;
export function parseTrustedHops(value: string | undefined): number;
export function resolveClientAddress(input: {
  forwardedFor?: string | string[];
  socketAddress?: string;
  hops: number;
}): string;
export function rewriteForwardedHeaders(req: IncomingMessage, hops: number): string;
