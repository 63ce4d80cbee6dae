import type { RotationStats } from "./rotate";

// Human-readable summary of a rotation run (ids and kids only; never key material).

export function formatRotationReport(stats: RotationStats, activeKid: string): string {
  const lines = [`Active key: ${activeKid}`];
  const failedByKid: Record<string, number> = {};
  for (const f of stats.failed) failedByKid[f.kid] = (failedByKid[f.kid] ?? 0) + 1;
  const oldKids = [...new Set([...Object.keys(stats.byKid), ...Object.keys(failedByKid)])].sort();
  for (const kid of oldKids) {
    lines.push(`  ${kid} → ${activeKid}: ${stats.byKid[kid] ?? 0} rotated, ${failedByKid[kid] ?? 0} failed`);
  }
  lines.push(
    `Total: ${stats.scanned} scanned, ${stats.rotated} rotated, ${stats.alreadyCurrent} already current, ` +
      `${stats.retried} retried after concurrent edits, ${stats.failed.length} failed`,
  );
  for (const f of stats.failed) lines.push(`  failed: ProviderKey ${f.id} (kid ${f.kid}): ${f.reason}`);
  if (stats.failed.some((f) => f.reason === "unknown_kid")) {
    lines.push(
      "Hint: unknown_kid means that master key is no longer in BYOK_MASTER_KEYS; add it back and re-run.",
    );
  }
  if (stats.failed.some((f) => f.reason === "auth_failed" || f.reason === "malformed")) {
    lines.push(
      "Rows that cannot be decrypted were left untouched; their users will be asked to re-enter the key.",
    );
  }
  return lines.join("\n");
}
