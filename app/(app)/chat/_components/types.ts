import type { ModelOption, ProviderId } from "@/lib/ai";
import type { KeySource } from "@/lib/chat/types";

/** A provider the user can chat with right now, and the key a chat would use. */
export type PickerProvider = {
  id: ProviderId;
  label: string;
  source: KeySource;
  models: readonly ModelOption[];
};

export type Selection = { provider: ProviderId; model: string };
