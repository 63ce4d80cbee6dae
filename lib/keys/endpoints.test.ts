import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { initialSelection, pickerProviders } from "@/lib/chat/picker";
import { startTurn, type TurnInput } from "@/lib/chat/turn";
import { clientId, readAll, textOf } from "@/test/chat-stream";
import { failure } from "@/test/errors";
import { type Harness, startHarness } from "@/test/harness";
import { endpointName, groupEndpoints } from "./endpoints";
import { listKeys, updateKey } from "./manage";
import { endpointModels } from "./models";
import { usableProviders } from "./resolve";
import { addKey, saveKey } from "./save";

vi.mock("server-only", () => ({}));

// Several named OpenAI-compatible endpoints per user: two servers on the mock upstream under
// different base URLs (both the OpenAI wire format). A chat naming an endpoint runs there and
// fails over only among that endpoint's keys. Real database, vault and mock upstream.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 1 });
});
afterAll(() => h?.close());

const never = () => new AbortController().signal;
const secondBase = () => `${h.mock.url}/second/v1`;
const generationsUnder = (prefix: string) =>
  h.mock.requests().filter((r) => r.kind === "generate" && r.path.startsWith(prefix));

async function twoEndpoints(keyB = "endpointBetaKey0102") {
  const user = await h.newUser();
  const alpha = await saveKey(
    user,
    "compatible",
    { apiKey: "endpointAlphaKey0101", baseUrl: h.mock.baseUrls.compatible, label: "Alpha" },
    undefined,
    h.deps,
  );
  const beta = await addKey(
    user,
    "compatible",
    { apiKey: keyB, baseUrl: secondBase(), label: "Beta" },
    undefined,
    h.deps,
  );
  return { user, alpha: alpha.id as string, beta: beta.id as string };
}

function turn(user: string, extra: Partial<TurnInput> = {}) {
  return startTurn(
    {
      userId: user,
      chatId: clientId("c"),
      message: { id: clientId(), text: "hello endpoint" },
      provider: "compatible",
      model: "mock-model",
      ...extra,
    },
    never(),
    h.turnDeps(),
  );
}

describe("named OpenAI-compatible endpoints", () => {
  it("groups keys by base URL, named by the first key (else the host)", () => {
    const rows = [
      { id: "a1", label: "Ollama", baseUrl: "http://x/v1" },
      { id: "b1", label: null, baseUrl: "https://openrouter.example/api/v1" },
      { id: "a2", label: "Spare", baseUrl: "http://x/v1" },
    ];
    expect(groupEndpoints(rows).map((e) => [e.id, e.name, e.rows.map((r) => r.id)])).toEqual([
      ["a1", "Ollama", ["a1", "a2"]],
      ["b1", "openrouter.example", ["b1"]],
    ]);
    expect(endpointName({ label: "  ", baseUrl: "http://h:1/v1" })).toBe("h:1");
  });

  it("a new endpoint needs a name no other endpoint of the user has; a key for a known URL joins it", async () => {
    const { user } = await twoEndpoints();
    const unnamed = await failure(
      addKey(user, "compatible", { baseUrl: `${h.mock.url}/third/v1` }, undefined, h.deps),
    );
    expect(unnamed).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ path: "label" }] });
    const taken = await failure(
      addKey(user, "compatible", { baseUrl: `${h.mock.url}/third/v1`, label: " beta" }, undefined, h.deps),
    );
    expect(taken.code).toBe("CONFLICT");
    expect(taken.message).toContain("Beta");
    // Another key of Beta: no name needed, and a key name may repeat an endpoint's.
    await addKey(
      user,
      "compatible",
      { apiKey: "betaSpareKey0103", baseUrl: secondBase(), label: "Alpha" },
      undefined,
      h.deps,
    );
    const rows = (await listKeys(user, h.deps)).filter((k) => k.provider === "compatible");
    expect(groupEndpoints(rows.map((k) => ({ ...k, id: k.id as string }))).map((e) => e.name)).toEqual([
      "Alpha",
      "Beta",
    ]);
    const slash = await failure(
      addKey(user, "compatible", { baseUrl: `${h.mock.url}/third/v1`, label: "a/b" }, undefined, h.deps),
    );
    expect(slash).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ path: "label" }] });
    // Renaming an endpoint (its first key) follows the same rule; another key's name is free.
    const [alphaKey, , betaSpare] = rows;
    expect(
      (
        await failure(
          updateKey(
            user,
            { provider: "compatible", id: alphaKey?.id as string },
            { label: "BETA" },
            undefined,
            h.deps,
          ),
        )
      ).code,
    ).toBe("CONFLICT");
    await updateKey(
      user,
      { provider: "compatible", id: betaSpare?.id as string },
      { label: "Beta" },
      undefined,
      h.deps,
    );
    await updateKey(
      user,
      { provider: "compatible", id: alphaKey?.id as string },
      { label: "Gamma" },
      undefined,
      h.deps,
    );
    // Another user may use the same names.
    await twoEndpoints();
  });

  it("replacing the first endpoint's key keeps its URL; another endpoint's URL is refused, never merged", async () => {
    const { user, alpha, beta } = await twoEndpoints();
    const endpoints = async () =>
      groupEndpoints(
        (await listKeys(user, h.deps))
          .filter((k) => k.provider === "compatible")
          .map((k) => ({ ...k, id: k.id as string })),
      ).map((e) => [e.name, e.baseUrl, e.rows.length]);
    const before = await endpoints();
    // The card form with Beta's base URL typed in: refused on the field, naming Beta.
    const merged = await failure(
      saveKey(
        user,
        "compatible",
        { apiKey: "replacedAlphaKey0105", baseUrl: `${secondBase()}/`, label: "Alpha" },
        undefined,
        h.deps,
      ),
    );
    expect(merged).toMatchObject({ code: "CONFLICT", issues: [{ path: "baseUrl" }] });
    expect(merged.message).toContain("“Beta”");
    // The same by id (PUT /api/keys/{id}), for Beta's key with Alpha's URL.
    const back = await failure(
      saveKey(
        user,
        { provider: "compatible", id: beta },
        { apiKey: "replacedBetaKey00106", baseUrl: h.mock.baseUrls.compatible, label: "Beta" },
        undefined,
        h.deps,
      ),
    );
    expect(back).toMatchObject({ code: "CONFLICT", issues: [{ path: "baseUrl" }] });
    expect(back.message).toContain("“Alpha”");
    expect(await endpoints()).toEqual(before);

    // No URL sent: the replaced key stays on its endpoint's URL (and keeps its id and name).
    const kept = await saveKey(
      user,
      "compatible",
      { apiKey: "replacedAlphaKey0107", label: "Alpha" },
      undefined,
      h.deps,
    );
    expect(kept).toMatchObject({ id: alpha, baseUrl: before[0]?.[1], last4: "0107" });
    expect(await endpoints()).toEqual(before);
    // Its own URL again, or a new one the user typed: allowed.
    await saveKey(
      user,
      "compatible",
      { apiKey: "replacedAlphaKey0108", baseUrl: h.mock.baseUrls.compatible, label: "Alpha" },
      undefined,
      h.deps,
    );
    await saveKey(
      user,
      "compatible",
      { apiKey: "replacedAlphaKey0109", baseUrl: `${h.mock.url}/third/v1`, label: "Alpha" },
      undefined,
      h.deps,
    );
    expect((await endpoints()).map((e) => e[0])).toEqual(["Alpha", "Beta"]);
    expect((await endpoints())[0]?.[1]).toBe(`${h.mock.url}/third/v1`);
    // Adding a key with an existing endpoint's URL still joins that endpoint.
    await addKey(
      user,
      "compatible",
      { apiKey: "betaSpareKey0110", baseUrl: secondBase() },
      undefined,
      h.deps,
    );
    expect(await endpoints()).toEqual([
      ["Alpha", `${h.mock.url}/third/v1`, 1],
      ["Beta", secondBase(), 2],
    ]);
  });

  it("a key moves up or down past the keys of its own endpoint only", async () => {
    const { user, alpha, beta } = await twoEndpoints();
    // Positions: Alpha 0, Beta 1, Alpha's spare 2, Beta's spare 3.
    const alpha2 = await addKey(
      user,
      "compatible",
      { apiKey: "alphaSpareKey0111", baseUrl: h.mock.baseUrls.compatible },
      undefined,
      h.deps,
    );
    const beta2 = await addKey(
      user,
      "compatible",
      { apiKey: "betaSpareKey00112", baseUrl: secondBase() },
      undefined,
      h.deps,
    );
    const order = async () =>
      (await listKeys(user, h.deps)).filter((k) => k.provider === "compatible").map((k) => k.id);
    const move = (id: string, move: "up" | "down") =>
      updateKey(user, { provider: "compatible", id }, { move }, undefined, h.deps);
    await move(beta2.id as string, "up");
    expect(await order()).toEqual([alpha, beta2.id, alpha2.id, beta]);
    await move(alpha2.id as string, "up");
    expect(await order()).toEqual([alpha2.id, beta2.id, alpha, beta]);
    // The last key of its endpoint cannot go further down, nor the first further up.
    await move(beta, "down");
    await move(alpha2.id as string, "up");
    expect(await order()).toEqual([alpha2.id, beta2.id, alpha, beta]);
  });

  it("a turn naming the second endpoint runs at its base URL and the answer names it", async () => {
    const { user, beta } = await twoEndpoints();
    h.mock.reset();
    const handle = await turn(user, { keyId: beta });
    const chunks = await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(textOf(chunks)).toContain("hello endpoint");
    expect(generationsUnder("/second/")).toHaveLength(1);
    expect(generationsUnder("/compat/")).toHaveLength(0);
    const meta = chunks.find((c) => c.type === "start") as { messageMetadata?: object } | undefined;
    const finish = chunks.at(-1) as { messageMetadata?: object };
    expect({ ...meta?.messageMetadata, ...finish.messageMetadata }).toMatchObject({
      keyLabel: "Beta",
      keyId: beta,
    });
    const answer = await h.handle.prisma.message.findFirstOrThrow({
      where: { userId: user, role: "assistant" },
    });
    expect(answer).toMatchObject({ keyId: beta, keyLabel: "Beta" });

    // Without a name the chat runs on the first endpoint, as before.
    h.mock.reset();
    const first = await turn(user);
    await readAll(first.stream);
    expect((await first.done).status).toBe("COMPLETE");
    expect(generationsUnder("/compat/")).toHaveLength(1);
    expect(generationsUnder("/second/")).toHaveLength(0);
  });

  it("a refusal on endpoint B never fails over to endpoint A", async () => {
    const { user, beta } = await twoEndpoints("invalidBetaKey0104");
    h.mock.reset();
    const err = await failure(turn(user, { keyId: beta }));
    expect(err.code).toBe("INVALID_API_KEY");
    expect(generationsUnder("/second/")).toHaveLength(1);
    expect(generationsUnder("/compat/")).toHaveLength(0);
  });

  it("another user's endpoint id is NOT_FOUND, exactly like an unused one", async () => {
    const mine = await twoEndpoints();
    const theirs = await twoEndpoints();
    h.mock.reset();
    expect((await failure(turn(mine.user, { keyId: theirs.beta }))).code).toBe("NOT_FOUND");
    expect((await failure(turn(mine.user, { keyId: "c".repeat(25) }))).code).toBe("NOT_FOUND");
    expect(h.mock.requests().filter((r) => r.kind === "generate")).toHaveLength(0);
  });

  it("a model only the chosen endpoint lists runs there", async () => {
    const { user, beta } = await twoEndpoints();
    await h.handle.prisma.providerKey.update({
      where: { id: beta },
      data: { models: [{ id: "only-on-beta" }], modelsFetchedAt: new Date() },
    });
    h.mock.reset();
    const handle = await turn(user, { keyId: beta, model: "only-on-beta" });
    await readAll(handle.stream);
    expect((await handle.done).status).toBe("COMPLETE");
    expect(generationsUnder("/second/").map((r) => r.model)).toEqual(["only-on-beta"]);
  });

  it("the picker lists each endpoint's models under its name; an answer's key id selects its endpoint", async () => {
    const { user, alpha, beta } = await twoEndpoints();
    await h.handle.prisma.providerKey.update({
      where: { id: beta },
      data: { models: [{ id: "beta-model" }], modelsFetchedAt: new Date() },
    });
    const providers = pickerProviders(
      await usableProviders(user, h.deps),
      {},
      await endpointModels(user, h.deps),
    ).filter((p) => p.id === "compatible");
    expect(providers.map((p) => [p.label, p.endpoint?.id, p.models.map((m) => m.id)])).toEqual([
      ["Alpha", alpha, ["mock-model", "mock-model-large"]],
      ["Beta", beta, ["beta-model"]],
    ]);
    expect(
      initialSelection(providers, [{ provider: "compatible", model: "beta-model", keyId: beta }]),
    ).toEqual({
      provider: "compatible",
      model: "beta-model",
      keyId: beta,
    });
    // Without a key id (an older answer): the first endpoint.
    expect(initialSelection(providers, [{ provider: "compatible", model: "mock-model" }])).toMatchObject({
      keyId: alpha,
    });
    // A switched-off endpoint is not offered.
    await h.handle.prisma.providerKey.update({ where: { id: beta }, data: { enabled: false } });
    expect((await endpointModels(user, h.deps)).map((e) => e.name)).toEqual(["Alpha"]);
  });
});
