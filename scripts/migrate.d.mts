export interface MigrateOptions {
  /** PostgreSQL server; when unset, the embedded PGlite in `<dataDir>/pglite`. */
  databaseUrl?: string;
  /** Defaults to `<repo>/.data`. Created when missing. */
  dataDir?: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

/** Applies the committed migrations; throws DataDirLockedError when the directory is in use. */
export function migrate(options?: MigrateOptions): Promise<{ target: string; applied: string[] }>;
