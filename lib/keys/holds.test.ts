import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { otherInstance, REDIS, useBackend } from "@/test/holds-backend";

// lib/keys/holds.ts: spending held by running turns. With REDIS_URL it must be shared between
// instances (each process has its own memory: "another instance" is this process with its memory
// wiped); without Redis, or with Redis unreachable, it holds per process.

const { release, reserve } = await import("./holds");

afterAll(() => useBackend());

describe("spending holds (Redis): shared by every instance", () => {
  beforeEach(() => useBackend(REDIS));

  it("a hold made on one instance counts on another until it is released", async () => {
    const key = `u-${randomUUID()}:openai`;
    const a = await reserve(key, { tokens: 1000, micros: 500 });
    expect(a.total).toEqual({ tokens: 1000, micros: 500 });
    otherInstance();
    const b = await reserve(key, { tokens: 200, micros: 100 });
    expect(b.total).toEqual({ tokens: 1200, micros: 600 });
    await release(a.hold);
    otherInstance();
    const c = await reserve(key, { tokens: 1, micros: 0 });
    expect(c.total).toEqual({ tokens: 201, micros: 100 });
    await release(b.hold);
    await release(c.hold);
    const probe = new Redis(REDIS);
    try {
      expect(await probe.zcard(`byok:hold:${key}`)).toBe(0);
    } finally {
      probe.disconnect();
    }
  });

  it("a hold whose instance died expires on its own", async () => {
    const key = `u-${randomUUID()}:groq`;
    await reserve(key, { tokens: 5000, micros: 0 }, 80);
    otherInstance();
    await new Promise((r) => setTimeout(r, 150));
    expect((await reserve(key, { tokens: 10, micros: 0 })).total).toEqual({ tokens: 10, micros: 0 });
  });

  it("racing reservations all see each other: the last total is the sum of all", async () => {
    const key = `u-${randomUUID()}:google`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        if (i % 2) otherInstance();
        return reserve(key, { tokens: 10, micros: 1 });
      }),
    );
    const totals = results.map((r) => r.total.tokens).sort((x, y) => x - y);
    // Each reservation saw itself and every one before it: 10, 20, …, 200 — none twice.
    expect(totals).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
  });
});

describe("spending holds without Redis: per process", () => {
  it("counts within the process, not across (no REDIS_URL)", async () => {
    await useBackend();
    const key = `u-${randomUUID()}:openai`;
    const a = await reserve(key, { tokens: 100, micros: 0 });
    expect((await reserve(key, { tokens: 1, micros: 0 })).total.tokens).toBe(101);
    await release(a.hold);
    expect((await reserve(key, { tokens: 1, micros: 0 })).total.tokens).toBe(2);
    otherInstance();
    expect((await reserve(key, { tokens: 1, micros: 0 })).total.tokens).toBe(1);
  });

  it("Redis configured but unreachable: the process's memory answers, no error", async () => {
    await useBackend("redis://127.0.0.1:1");
    const key = `u-${randomUUID()}:openai`;
    const a = await reserve(key, { tokens: 7, micros: 3 });
    expect((await reserve(key, { tokens: 1, micros: 0 })).total).toEqual({ tokens: 8, micros: 3 });
    await release(a.hold);
  });
});
