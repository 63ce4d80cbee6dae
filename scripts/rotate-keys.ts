// Re-encrypts every stored provider key under the active master key.
//
//   1. Add a new key in front of BYOK_MASTER_KEYS (keep the old ones!), or set BYOK_ACTIVE_KEY_ID.
//   2. Restart the app (new saves use the new key), then run:  npm run keys:rotate
//   3. When it reports 0 failed and nothing left under an old kid, the old key may be removed.
//
// Safe to interrupt and re-run. Embedded mode (PGlite): stop the app first, one process per data dir.
// Options: --batch-size=N (default 100), --no-audit (skip the per-row `key.rotated` audit events).
import { getKeyring } from "@/lib/crypto";
import { rotateKeys } from "@/lib/crypto/rotate";
import { formatRotationReport } from "@/lib/crypto/rotate-report";
import { createDbClient } from "@/lib/db";
import { env } from "@/lib/env";
import { redactString } from "@/lib/log";

function parseArgs(argv: string[]) {
  let batchSize = 100;
  let audit = true;
  for (const arg of argv) {
    if (arg === "--no-audit") audit = false;
    else if (arg.startsWith("--batch-size=")) batchSize = Number(arg.slice("--batch-size=".length));
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error("--batch-size must be a positive integer");
  return { batchSize, audit };
}

async function main() {
  const { batchSize, audit } = parseArgs(process.argv.slice(2));
  const keyring = getKeyring();
  const { DATABASE_URL, dataDir } = env();
  // Embedded mode: the data-dir lock makes this fail fast (instead of corrupting) while the app runs.
  const handle = createDbClient(
    DATABASE_URL ? { databaseUrl: DATABASE_URL } : { dataDir, purpose: "rotate-keys" },
  );
  try {
    const stats = await rotateKeys(handle.prisma, {
      keyring,
      batchSize,
      audit,
      onProgress: (s) =>
        console.error(`… ${s.scanned} scanned, ${s.rotated} rotated, ${s.failed.length} failed`),
    });
    console.log(formatRotationReport(stats, keyring.activeKid));
    return stats.failed.length === 0 ? 0 : 1;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error;
    console.error(`rotate-keys failed: ${e?.name ?? "Error"}: ${redactString(String(e?.message ?? err))}`);
    process.exit(2);
  },
);
