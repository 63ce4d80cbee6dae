"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { requireSameOrigin, requireUser } from "@/lib/auth";
import { clientIp } from "@/lib/client-ip";
import { type AppError, isAppError, validationError } from "@/lib/errors";
import { removeKey, setKeyEnabled } from "@/lib/keys/manage";
import { testKey } from "@/lib/keys/probe";
import { saveKey } from "@/lib/keys/save";
import {
  apiKeySchema,
  baseUrlSchema,
  defaultsSchema,
  labelSchema,
  parseProvider,
  testKeyActionSchema,
} from "@/lib/keys/schemas";
import { setDefaults } from "@/lib/keys/settings";
import { log } from "@/lib/log";
import { requestIdFrom, withRequestId } from "@/lib/request-id";
import type {
  ActionError,
  DefaultsResult,
  KeyResult,
  SaveKeyResult,
  TestKeyResult,
} from "./_components/types";

// Thin: requireSameOrigin → requireUser → zod (and the provider: unknown → NOT_FOUND, as on the
// REST routes) → one lib/keys call → a result without secrets. Every action is a public
// endpoint, so each checks the session itself and takes only plain, validated data.

const PATH = "/settings/ai";
const provider = z.string().trim().min(1).max(40);

const saveInput = z.strictObject({
  provider,
  apiKey: apiKeySchema,
  baseUrl: baseUrlSchema.optional(),
  label: labelSchema.optional(),
});
const toggleInput = z.strictObject({ provider, enabled: z.boolean() });
const removeInput = z.strictObject({ provider });

async function requestContext() {
  const h = await headers();
  return { ip: clientIp(h), userAgent: h.get("user-agent") };
}

function fieldErrors(issues: { path: string; message: string }[] | undefined) {
  if (!issues?.length) return undefined;
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path || "form"] ??= i.message;
  return out;
}

function refused(e: AppError): ActionError {
  return {
    ok: false,
    code: e.code,
    message: e.message,
    ...(e.issues ? { fieldErrors: fieldErrors(e.issues) } : {}),
    ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
  };
}

const invalidInput = (error: z.ZodError): ActionError => refused(validationError(error));

async function failed(e: unknown, action: string): Promise<ActionError> {
  if (isAppError(e)) return refused(e);
  const requestId = requestIdFrom(await headers());
  withRequestId(requestId, () => log.error("settings.ai.action_failed", { action, error: e }));
  return { ok: false, code: "INTERNAL", message: "Something went wrong on our side. Try again.", requestId };
}

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
