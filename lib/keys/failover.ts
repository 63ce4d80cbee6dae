import type { ProviderId } from "@/lib/ai/registry";
import type { PrismaClient } from "@/lib/db/generated/client";
import { writeAudit } from "./audit";
import { chatCandidates } from "./order";
import type { KeyRow, PreloadedKeys, ResolvedKey } from "./resolve";

// One request's walk through the user's keys for a provider (several keys per provider), shared
// by the chat turn and /v1: which keys it has run on or skipped, the next one not tried yet, and
// the record of each hand-over (a log line and a `key.failover` audit event, whether the key was
// refused by the provider or passed over for its own spending limit).

export type NextKey = (
  userId: string,
  provider: ProviderId,
  preloaded: PreloadedKeys,
  tried: readonly string[],
) => Promise<ResolvedKey | null>;

export type KeyWalk = {
  /** A personal key not tried yet remains after `current`. */
  hasAnother: (current: ResolvedKey) => boolean;
  /** The next key not tried yet (now counted as tried), or null. */
  next: () => Promise<ResolvedKey | null>;
  /** Records a hand-over from `from` to `to`; `reason: "key_limit"` for a key passed over. */
  handOver: (from: ResolvedKey, to: ResolvedKey, code: string, reason?: "key_limit") => Promise<void>;
};

export function walkKeys(o: {
  db: PrismaClient;
  userId: string;
  provider: ProviderId;
  /** The keys this request may run on, as its lookup read them (absent: no other key). */
  rows: KeyRow[] | undefined;
  first: ResolvedKey;
  nextKey: NextKey | undefined;
  /** `chat` or `v1`: the log event is `<prefix>.key_failover`. */
  logPrefix: string;
  log?: (event: string, data: Record<string, unknown>) => void;
}): KeyWalk {
  const tried: string[] = o.first.keyId ? [o.first.keyId] : [];
  const { rows, nextKey } = o;
  return {
    hasAnother: (current) =>
      current.source === "personal" &&
      !!nextKey &&
      !!rows &&
      chatCandidates(o.provider, rows).some((r) => !tried.includes(r.id)),
    next: async () => {
      const next = nextKey && rows ? await nextKey(o.userId, o.provider, { rows }, tried) : null;
      if (next?.keyId) tried.push(next.keyId);
      return next;
    },
    handOver: async (from, to, code, reason) => {
      o.log?.(`${o.logPrefix}.key_failover`, { provider: o.provider, code, ...(reason ? { reason } : {}) });
      await writeAudit(o.db, o.userId, {
        action: "key.failover",
        provider: o.provider,
        last4: rows?.find((r) => r.id === from.keyId)?.last4 ?? null,
        detail: {
          keyId: from.keyId ?? null,
          nextKeyId: to.keyId ?? null,
          code,
          ...(reason ? { reason } : {}),
        },
      }).catch(() => undefined);
    },
  };
}
