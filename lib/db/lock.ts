// The data-directory lock lives in one plain-ESM module shared with scripts/migrate.mjs, so the
// app and the migration run agree on the file and its format.
export {
  acquireDataDirLock,
  type DataDirLock,
  DataDirLockedError,
  type LockHolder,
  lockFilePath,
  readDataDirLock,
} from "@/scripts/db/lock.mjs";
