"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionFailure, refusal, requestContext } from "@/lib/action-result";
import { requireSameOrigin, requireUser, type SessionUser } from "@/lib/auth";
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
  type RequestContext,
  testKeyActionSchema,
  updateKeySchema,
} from "@/lib/keys/schemas";
import { setDefaults, setSystemPrompt } from "@/lib/keys/settings";
import { text } from "@/lib/text";
import type { ActionResult } from "./_components/types";

// Thin: requireSameOrigin → requireUser → zod (and the provider: unknown → NOT_FOUND, as on the
// REST routes) → one lib/keys call → a result without secrets. Every action is a public
// endpoint: each is built by keyAction, which runs those checks on every call of that action
// before it reads its input, and takes only plain, validated data.

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
const byProviderInput = z.strictObject({ provider });
const endpointToggleInput = z.strictObject({ id: keyId, enabled: z.boolean() });
const limitsInput = limitsInputSchema.extend({ provider });
const systemPromptInput = z.strictObject({ systemPrompt: systemPromptSchema });

const invalidInput = (error: z.ZodError) => refusal(validationError(error));
const failed = (e: unknown, action: string) => actionFailure(e, "settings.ai.action_failed", { action });

/**
 * One AI-settings action: on each call, same origin → session → `schema` → `run` → the page's
 * data revalidated (unless `revalidate` says no for this result) → `{ ok: true, ...result }`;
 * a thrown error is mapped to a refusal (lib/action-result), logged under `action` when it is
 * not an AppError. A key found undecryptable on the way was just marked: the page shows it.
 */
function keyAction<S extends z.ZodType, T extends object>(
  action: string,
  schema: S,
  run: (user: SessionUser, input: z.output<S>, ctx: RequestContext) => Promise<T>,
  opts: { revalidate?: (result: T) => boolean } = {},
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input) => {
    await requireSameOrigin();
    const user = await requireUser(PATH);
    const parsed = schema.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      const result = await run(user, parsed.data, await requestContext());
      if (opts.revalidate?.(result) ?? true) revalidatePath(PATH);
      return { ok: true, ...result };
    } catch (e) {
      if (isAppError(e) && e.code === "KEY_NEEDS_REENTRY") revalidatePath(PATH);
      return failed(e, action);
    }
  };
}

/** Replaces the provider's first key (adds it when there is none). */
export const saveKeyAction = keyAction("save", saveInput, async (user, { provider: p, ...body }, ctx) => ({
  key: await saveKey(user.id, parseProvider(p), body, ctx),
}));

/** Another key for the provider, tried after the ones already saved. */
export const addKeyAction = keyAction("add", saveInput, async (user, { provider: p, ...body }, ctx) => ({
  key: await addKey(user.id, parseProvider(p), body, ctx),
}));

/** One key by id: switch, rename, move up/down. */
export const updateKeyAction = keyAction("update", updateInput, async (user, { id, change }, ctx) => ({
  key: await updateKey(user.id, await keyTarget(user.id, id), change, ctx),
}));

export const removeKeyByIdAction = keyAction("remove", byIdInput, async (user, { id }, ctx) => ({
  key: await removeKey(user.id, await keyTarget(user.id, id), ctx),
}));

/** Tests one stored key by id (and records the outcome on it). */
export const testKeyByIdAction = keyAction("test", byIdInput, async (user, { id }, ctx) => ({
  test: await testKey(user.id, await keyTarget(user.id, id), {}, ctx),
}));

/** Tests the provider's first key, or the key and base URL typed on its card (not saved). */
export const testKeyAction = keyAction(
  "test",
  testKeyActionSchema,
  async (user, { provider: p, ...body }, ctx) => ({
    test: await testKey(user.id, parseProvider(p), body, ctx),
  }),
);

export const toggleKeyAction = keyAction(
  "toggle",
  toggleInput,
  async (user, { provider: p, enabled }, ctx) => ({
    key: await setKeyEnabled(user.id, parseProvider(p), enabled, ctx),
  }),
);

export const removeKeyAction = keyAction("remove", byProviderInput, async (user, { provider: p }, ctx) => ({
  key: await removeKey(user.id, parseProvider(p), ctx),
}));

/** An OpenAI-compatible endpoint (by one of its keys' ids): every key of it removed. */
export const removeEndpointAction = keyAction("remove-endpoint", byIdInput, async (user, { id }, ctx) => {
  await removeEndpoint(user.id, id, ctx);
  return {};
});

/** An OpenAI-compatible endpoint switched on or off (its keys stay stored). */
export const setEndpointEnabledAction = keyAction(
  "toggle-endpoint",
  endpointToggleInput,
  async (user, { id, enabled }, ctx) => {
    await setEndpointEnabled(user.id, id, enabled, ctx);
    return {};
  },
);

export const setDefaultsAction = keyAction("defaults", defaultsSchema, async (user, input) => {
  const saved = await setDefaults(user.id, input);
  return { provider: saved.provider, model: saved.model };
});

/** Asks the provider for the models the first key may use; the page is refreshed when it answered. */
export const refreshModelsAction = keyAction(
  "refresh-models",
  byProviderInput,
  async (user, { provider: p }) => ({ refresh: await refreshKeyModels(user.id, parseProvider(p)) }),
  { revalidate: ({ refresh }) => refresh.ok },
);

export const setLimitsAction = keyAction(
  "limits",
  limitsInput,
  async (user, { provider: p, ...body }, ctx) => ({
    limits: await setLimits(user.id, parseProvider(p), body, ctx),
  }),
);

export const setSystemPromptAction = keyAction("system_prompt", systemPromptInput, async (user, input) => ({
  systemPrompt: await setSystemPrompt(user.id, input.systemPrompt),
}));

// One key's own limits (several keys per provider): counted on that key's use only. Another
// user's key id is NOT_FOUND, as an unused one.
const keyLimitsInput = limitsInputSchema.extend({ keyId });

export const setKeyLimitsAction = keyAction(
  "key_limits",
  keyLimitsInput,
  async (user, { keyId: id, ...body }, ctx) => ({ limits: await setKeyLimits(user.id, id, body, ctx) }),
);
