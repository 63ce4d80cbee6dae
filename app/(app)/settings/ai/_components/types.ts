import type { ActionError } from "@/lib/action-result";
import type { KeyDto } from "@/lib/keys/dto";
import type { KeyLimits, ProviderLimits } from "@/lib/keys/limits";
import type { ModelCache, RefreshResult } from "@/lib/keys/models";
import type { KeyTestReport } from "@/lib/keys/probe";

// What the AI-settings server actions hand back. Never plaintext: DTOs carry the masked preview.

export type { ActionError } from "@/lib/action-result";

export type ActionResult<T = object> = ({ ok: true } & T) | ActionError;

export type SaveKeyResult = ActionResult<{ key: KeyDto }>;
export type TestKeyResult = ActionResult<{ test: KeyTestReport }>;
export type KeyResult = ActionResult<{ key: KeyDto }>;
export type RefreshModelsResult = ActionResult<{ refresh: RefreshResult }>;
export type LimitsResult = ActionResult<{ limits: ProviderLimits }>;
export type KeyLimitsResult = ActionResult<{ limits: KeyLimits }>;
export type DefaultsResult = ActionResult<{ provider: string; model: string | null }>;
export type SystemPromptResult = ActionResult<{ systemPrompt: string | null }>;

export type { KeyDto, KeyLimits, KeyTestReport, ModelCache, ProviderLimits };
