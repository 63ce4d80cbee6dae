import type { Prisma } from "@/lib/db/generated/client";

// Endpoint names are unique per user (endpoints.ts), but an endpoint is not a row of its own: it
// is the user's compatible keys sharing a base URL, so no unique index can hold the rule. The
// check reads the user's keys and then writes one; on PostgreSQL two such transactions (READ
// COMMITTED) would both read before either writes, and two racing adds of one new name would
// both pass. This lock makes them take turns, per user (other users never wait).

/** Inside a transaction: waits until no other transaction changes this user's endpoints. */
export async function lockUserEndpoints(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${`byok:endpoints:${userId}`}, 0))`;
}
