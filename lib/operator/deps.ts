import { db } from "@/lib/db";
import type { Prisma, PrismaClient } from "@/lib/db/generated/client";

// What lib/operator needs from the outside: the database. Optional last argument of every
// function here; tests and the shell command (scripts/admin-cli.ts) pass their own client.
export type OperatorDeps = { db: PrismaClient };
export type Tx = Prisma.TransactionClient;

export function operatorDeps(): OperatorDeps {
  return { db: db() };
}

/** Advisory lock key serialising every change to who is admin (first admin, last-admin guard). */
const ADMIN_LOCK_KEY = 1_140_011;

/** Inside a transaction: waits until no other transaction changes admins, until this one ends. */
export async function lockAdmins(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ADMIN_LOCK_KEY}::bigint)`;
}
