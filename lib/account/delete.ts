import { type CoveredModel, USER_DATA_COVERAGE } from "./coverage";
import { type AccountDeps, accountDeps } from "./deps";
import { loadAccount, verifyIdentity } from "./identity";
import type { Identity } from "./schemas";

// "Delete my account": after the password (or the typed email of an OAuth-only account) and the
// typed confirmation, every covered table's rows of the user go in one transaction, and one
// DeletedAccount row records that an account was deleted: a fresh random id, the time and the
// row counts. No email, name or user id: nothing in it links back to the person.

export type DeletionCounts = Record<CoveredModel, number>;

export async function deleteAccount(
  userId: string,
  proof: Identity,
  deps: AccountDeps = accountDeps(),
): Promise<{ deletedAccountId: string; counts: DeletionCounts }> {
  const account = await loadAccount(deps.db, userId);
  await verifyIdentity(account, proof);
  return deleteUserData(userId, deps);
}

/** The deletion itself (no re-authentication): every table of the coverage list, then the record. */
export async function deleteUserData(
  userId: string,
  deps: AccountDeps = accountDeps(),
): Promise<{ deletedAccountId: string; counts: DeletionCounts }> {
  return deps.db.$transaction(async (tx) => {
    const counts = {} as DeletionCounts;
    for (const model of Object.keys(USER_DATA_COVERAGE) as CoveredModel[]) {
      counts[model] = await USER_DATA_COVERAGE[model].remove(tx, userId);
    }
    const record = await tx.deletedAccount.create({ data: { counts }, select: { id: true } });
    return { deletedAccountId: record.id, counts };
  });
}
