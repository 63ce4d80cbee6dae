import { costMicros } from "@/lib/ai/prices";
import type { TokenCaller } from "@/lib/api-tokens/tokens";
import { writeTokenAudit } from "@/lib/api-tokens/tokens";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { KeySource } from "@/lib/keys/policy";
import type { RequestContext } from "@/lib/keys/schemas";

// A /v1 turn leaves what a chat turn leaves, minus the chat: a usage event (tokens and the
// estimated cost, counted in AI settings → Usage and against the operator's system-key budget)
// and a line in the user's audit log naming the token. No Chat or Message rows.

export type V1Outcome = {
  provider: string;
  model: string;
  keySource: KeySource | null;
  /** The personal key the request ran on (null/absent: the system key, or none). */
  keyId?: string | undefined;
  status: "complete" | "error" | "aborted";
  errorCode?: string;
  usage?: { inputTokens: number; outputTokens: number };
  stream: boolean;
};

export async function recordV1Turn(
  db: PrismaClient,
  caller: TokenCaller,
  o: V1Outcome,
  ctx?: RequestContext,
): Promise<void> {
  await db.$transaction(async (tx) => {
    if (o.usage && o.keySource) {
      await tx.usageEvent.create({
        data: {
          userId: caller.userId,
          provider: o.provider,
          keySource: o.keySource,
          keyId: o.keyId ?? null,
          model: o.model,
          inputTokens: o.usage.inputTokens,
          outputTokens: o.usage.outputTokens,
          costMicros: costMicros(o.provider, o.model, o.usage.inputTokens, o.usage.outputTokens),
        },
      });
    }
    await writeTokenAudit(
      tx,
      caller.userId,
      {
        action: "api.completion",
        last4: caller.last4,
        provider: o.provider,
        detail: {
          token: caller.name,
          model: `${o.provider}/${o.model}`,
          status: o.status,
          stream: o.stream,
          ...(o.errorCode ? { code: o.errorCode } : {}),
          ...(o.keySource ? { keySource: o.keySource } : {}),
          ...(o.keyId ? { keyId: o.keyId } : {}),
          ...(o.usage ? { inputTokens: o.usage.inputTokens, outputTokens: o.usage.outputTokens } : {}),
        },
      },
      ctx,
    );
  });
}
