"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionFailure, refusal, requestContext } from "@/lib/action-result";
import { requireSameOrigin, requireUser } from "@/lib/auth";
import { systemPromptSchema } from "@/lib/chat/schemas";
import { isAppError, validationError } from "@/lib/errors";
import { limitsInputSchema, setKeyLimits, setLimits } from "@/lib/keys/limits";
import {
  keyTarget,
  removeEndpoint,
  removeKey,
  setEndpointEnabled,
  setKeyEnabled,
  updateKey,
} from "@/lib/keys/manage";
import { refreshKeyModels } from "@/lib/keys/models";
import { testKey } from "@/lib/keys/probe";
import { addKey, saveKey } from "@/lib/keys/save";
import {
  apiKeySchema,
  baseUrlSchema,
  defaultsSchema,
  labelSchema,
  parseProvider,
  testKeyActionSchema,
  updateKeySchema,
} from "@/lib/keys/schemas";
import { setDefaults, setSystemPrompt } from "@/lib/keys/settings";
import { text } from "@/lib/text";
import type {
  ActionResult,
  DefaultsResult,
  KeyLimitsResult,
  KeyResult,
  LimitsResult,
  RefreshModelsResult,
  SaveKeyResult,
  SystemPromptResult,
  TestKeyResult,
} from "./_components/types";

// Thin: requireSameOrigin → requireUser → zod (and the provider: unknown → NOT_FOUND, as on the
// REST routes) → one lib/keys call → a result without secrets. Every action is a public
// endpoint, so each checks the session itself and takes only plain, validated data.

const PATH = "/settings/ai";
const provider = text().trim().min(1).max(40);

const saveInput = z.strictObject({
  provider,
  // Absent: an OpenAI-compatible endpoint without a key (refused for the other providers).
  apiKey: apiKeySchema.optional(),
  baseUrl: baseUrlSchema.optional(),
  label: labelSchema.optional(),
});
const keyId = text().trim().min(1).max(64);
const toggleInput = z.strictObject({ provider, enabled: z.boolean() });
const updateInput = z.strictObject({ id: keyId, change: updateKeySchema });
const byIdInput = z.strictObject({ id: keyId });
const removeInput = z.strictObject({ provider });
const refreshInput = z.strictObject({ provider });
const limitsInput = limitsInputSchema.extend({ provider });
const systemPromptInput = z.strictObject({ systemPrompt: systemPromptSchema });

const invalidInput = (error: z.ZodError) => refusal(validationError(error));
const failed = (e: unknown, action: string) => actionFailure(e, "settings.ai.action_failed", { action });

export async function saveKeyAction(input: unknown): Promise<SaveKeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = saveInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { provider: p, ...body } = parsed.data;
  try {
    const key = await saveKey(user.id, parseProvider(p), body, await requestContext());
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "save");
  }
}

/** Another key for the provider, tried after the ones already saved. */
export async function addKeyAction(input: unknown): Promise<SaveKeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = saveInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { provider: p, ...body } = parsed.data;
  try {
    const key = await addKey(user.id, parseProvider(p), body, await requestContext());
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "add");
  }
}

/** One key by id: switch, rename, move up/down. */
export async function updateKeyAction(input: unknown): Promise<KeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = updateInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const target = await keyTarget(user.id, parsed.data.id);
    const key = await updateKey(user.id, target, parsed.data.change, await requestContext());
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "update");
  }
}

export async function removeKeyByIdAction(input: unknown): Promise<KeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = byIdInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const target = await keyTarget(user.id, parsed.data.id);
    const key = await removeKey(user.id, target, await requestContext());
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "remove");
  }
}

/** Tests one stored key by id (and records the outcome on it). */
export async function testKeyByIdAction(input: unknown): Promise<TestKeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = byIdInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const target = await keyTarget(user.id, parsed.data.id);
    const test = await testKey(user.id, target, {}, await requestContext());
    revalidatePath(PATH);
    return { ok: true, test };
  } catch (e) {
    if (isAppError(e) && e.code === "KEY_NEEDS_REENTRY") revalidatePath(PATH);
    return failed(e, "test");
  }
}

export async function testKeyAction(input: unknown): Promise<TestKeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = testKeyActionSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { provider: p, ...body } = parsed.data;
  try {
    const test = await testKey(user.id, parseProvider(p), body, await requestContext());
    revalidatePath(PATH);
    return { ok: true, test };
  } catch (e) {
    // A key that stopped decrypting was just marked: show the card's new status.
    if (isAppError(e) && e.code === "KEY_NEEDS_REENTRY") revalidatePath(PATH);
    return failed(e, "test");
  }
}

export async function toggleKeyAction(input: unknown): Promise<KeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = toggleInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const key = await setKeyEnabled(
      user.id,
      parseProvider(parsed.data.provider),
      parsed.data.enabled,
      await requestContext(),
    );
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "toggle");
  }
}

export async function removeKeyAction(input: unknown): Promise<KeyResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = removeInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const key = await removeKey(user.id, parseProvider(parsed.data.provider), await requestContext());
    revalidatePath(PATH);
    return { ok: true, key };
  } catch (e) {
    return failed(e, "remove");
  }
}

const endpointToggleInput = z.strictObject({ id: keyId, enabled: z.boolean() });

/** An OpenAI-compatible endpoint (by one of its keys' ids): every key of it removed. */
export async function removeEndpointAction(input: unknown): Promise<ActionResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = byIdInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    await removeEndpoint(user.id, parsed.data.id, await requestContext());
    revalidatePath(PATH);
    return { ok: true };
  } catch (e) {
    return failed(e, "remove-endpoint");
  }
}

/** An OpenAI-compatible endpoint switched on or off (its keys stay stored). */
export async function setEndpointEnabledAction(input: unknown): Promise<ActionResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = endpointToggleInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    await setEndpointEnabled(user.id, parsed.data.id, parsed.data.enabled, await requestContext());
    revalidatePath(PATH);
    return { ok: true };
  } catch (e) {
    return failed(e, "toggle-endpoint");
  }
}

export async function setDefaultsAction(input: unknown): Promise<DefaultsResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = defaultsSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const saved = await setDefaults(user.id, parsed.data);
    revalidatePath(PATH);
    return { ok: true, provider: saved.provider, model: saved.model };
  } catch (e) {
    return failed(e, "defaults");
  }
}

export async function refreshModelsAction(input: unknown): Promise<RefreshModelsResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = refreshInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const r = await refreshKeyModels(user.id, parseProvider(parsed.data.provider));
    if (r.ok) revalidatePath(PATH);
    return { ok: true, refresh: r };
  } catch (e) {
    return failed(e, "refresh-models");
  }
}

export async function setLimitsAction(input: unknown): Promise<LimitsResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = limitsInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { provider: p, ...body } = parsed.data;
  try {
    const limits = await setLimits(user.id, parseProvider(p), body, await requestContext());
    revalidatePath(PATH);
    return { ok: true, limits };
  } catch (e) {
    return failed(e, "limits");
  }
}

export async function setSystemPromptAction(input: unknown): Promise<SystemPromptResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = systemPromptInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const systemPrompt = await setSystemPrompt(user.id, parsed.data.systemPrompt);
    revalidatePath(PATH);
    return { ok: true, systemPrompt };
  } catch (e) {
    return failed(e, "system_prompt");
  }
}

// One key's own limits (several keys per provider): counted on that key's use only. Another
// user's key id is NOT_FOUND, as an unused one.
const keyLimitsInput = limitsInputSchema.extend({ keyId });

export async function setKeyLimitsAction(input: unknown): Promise<KeyLimitsResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = keyLimitsInput.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  const { keyId: id, ...body } = parsed.data;
  try {
    const limits = await setKeyLimits(user.id, id, body, await requestContext());
    revalidatePath(PATH);
    return { ok: true, limits };
  } catch (e) {
    return failed(e, "key_limits");
  }
}
