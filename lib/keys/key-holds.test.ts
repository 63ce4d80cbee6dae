import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Harness, startHarness } from "@/test/harness";
import { otherInstance, REDIS, useBackend } from "@/test/holds-backend";
import {
  checkTurnSpending,
  estimateTurn,
  KeyLimitError,
  setKeyLimits,
  setLimits,
  settleTurnSpending,
} from "./limits";
import { addKey } from "./save";

vi.mock("server-only", () => ({}));

// Holds per key with REDIS_URL: a turn running on one instance holds its estimate against its
// key's own limit on every instance ("another instance" is this process with its memory wiped),
// and not against another key's; the provider-wide hold still counts every key's turns.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await useBackend(REDIS);
});
afterAll(async () => {
  await useBackend();
  await h?.close();
});

describe("spending holds per key (Redis): shared by every instance", () => {
  it("a turn held on one instance blocks its key on another, not the user's other key", async () => {
    const userId = await h.newUser();
    const a = await addKey(userId, "openai", { apiKey: "sk-proj-redisHoldKeyA00000a1" }, undefined, h.deps);
    const b = await addKey(userId, "openai", { apiKey: "sk-proj-redisHoldKeyB00000b2" }, undefined, h.deps);
    const input = {
      userId,
      provider: "openai" as const,
      model: "gpt-5-mini",
      keySource: "personal",
      promptChars: 4000,
    };
    const est = estimateTurn(input);
    await setKeyLimits(userId, a.id as string, { dayTokens: est.tokens + 10 }, undefined, h.handle.prisma);
    await setKeyLimits(userId, b.id as string, { dayTokens: est.tokens + 10 }, undefined, h.handle.prisma);

    const onA = await checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id as string });
    otherInstance();
    await expect(
      checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id as string }),
    ).rejects.toBeInstanceOf(KeyLimitError);
    const onB = await checkTurnSpending(h.handle.prisma, { ...input, keyId: b.id as string });
    const probe = new Redis(REDIS);
    try {
      expect(await probe.zcard(`byok:hold:${userId}:openai:key:${a.id}`)).toBe(1);
      expect(await probe.zcard(`byok:hold:${userId}:openai:key:${b.id}`)).toBe(1);

      // A provider-wide limit with room for two estimates: both held turns count, whatever their key.
      await setLimits(userId, "openai", { dayTokens: est.tokens * 2 + 10 }, undefined, h.handle.prisma);
      settleTurnSpending(onA);
      settleTurnSpending(onB);
      const x = await checkTurnSpending(h.handle.prisma, { ...input, keyId: a.id as string });
      otherInstance();
      const y = await checkTurnSpending(h.handle.prisma, { ...input, keyId: b.id as string });
      otherInstance();
      const z = await checkTurnSpending(h.handle.prisma, { ...input, keyId: b.id as string }).catch((e) => e);
      expect(z).toBeInstanceOf(Error);
      // The provider's limit refused it (checked first), not B's own.
      expect(z).not.toBeInstanceOf(KeyLimitError);
      expect(z).toMatchObject({ code: "BUDGET_EXCEEDED", setting: "/settings/ai#limits-openai" });
      expect(await probe.zcard(`byok:hold:${userId}:openai`)).toBe(2);
      settleTurnSpending(x);
      settleTurnSpending(y);
      await vi.waitFor(async () => {
        expect(await probe.zcard(`byok:hold:${userId}:openai`)).toBe(0);
        expect(await probe.zcard(`byok:hold:${userId}:openai:key:${a.id}`)).toBe(0);
        expect(await probe.zcard(`byok:hold:${userId}:openai:key:${b.id}`)).toBe(0);
      });
    } finally {
      probe.disconnect();
    }
  });
});
