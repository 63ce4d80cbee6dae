"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { actionFailure, refusal, requestContext } from "@/lib/action-result";
import { createTokenSchema, revokeTokenSchema } from "@/lib/api-tokens/schemas";
import { type ApiTokenDto, createApiToken, revokeApiToken } from "@/lib/api-tokens/tokens";
import { requireSameOrigin, requireUser } from "@/lib/auth";
import { validationError } from "@/lib/errors";
import type { ActionResult } from "./_components/types";

// Personal API tokens (AI settings → API tokens). Thin like actions.ts: same origin → session →
// zod → one lib/api-tokens call. The plaintext token is in the create result only, once.

const PATH = "/settings/ai";

export type CreateTokenResult = ActionResult<{ token: string; dto: ApiTokenDto }>;
export type RevokeTokenResult = ActionResult<{ dto: ApiTokenDto }>;

const failed = (e: unknown, action: string) => actionFailure(e, "settings.tokens.action_failed", { action });
const invalidInput = (error: z.ZodError) => refusal(validationError(error));

export async function createApiTokenAction(input: unknown): Promise<CreateTokenResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = createTokenSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const { token, dto } = await createApiToken(user.id, parsed.data, await requestContext());
    revalidatePath(PATH);
    return { ok: true, token, dto };
  } catch (e) {
    return failed(e, "create");
  }
}

export async function revokeApiTokenAction(input: unknown): Promise<RevokeTokenResult> {
  await requireSameOrigin();
  const user = await requireUser(PATH);
  const parsed = revokeTokenSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error);
  try {
    const dto = await revokeApiToken(user.id, parsed.data.id, await requestContext());
    revalidatePath(PATH);
    return { ok: true, dto };
  } catch (e) {
    return failed(e, "revoke");
  }
}
