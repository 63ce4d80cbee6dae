import { type MockUpstream, startMockUpstream } from "@/e2e/mock-upstream/server.mjs";
import type { ProviderId } from "@/lib/ai/registry";
import { pointEnvAt } from "./harness";

// The provider SDKs against a mock upstream on a free port, one case per provider (and API).

export async function startMockForProviders(
  options?: Parameters<typeof startMockUpstream>[0],
): Promise<MockUpstream> {
  const mock = await startMockUpstream({ tokens: 8, stallMs: 20_000, ...options });
  pointEnvAt(mock);
  return mock;
}

export type ProviderCase = {
  name: string;
  provider: ProviderId;
  modelId: string;
  openaiApi?: "responses" | "chat";
  /** Builds a key containing the knob word, in the provider's key format. */
  key: (knob: string) => string;
  baseUrl?: (mock: MockUpstream) => string;
};

export const PROVIDER_CASES: ProviderCase[] = [
  {
    name: "openai (Responses)",
    provider: "openai",
    modelId: "gpt-5-mini",
    key: (k) => `sk-mock-${k}-0000wxyz`,
  },
  {
    name: "openai (chat)",
    provider: "openai",
    modelId: "gpt-4.1-mini",
    openaiApi: "chat",
    key: (k) => `sk-proj-mock-${k}-0000wxyz`,
  },
  {
    name: "groq",
    provider: "groq",
    modelId: "llama-3.3-70b-versatile",
    key: (k) => `gsk_mock_${k}_0000wxyz`,
  },
  { name: "google", provider: "google", modelId: "gemini-2.5-flash", key: (k) => `AIza-mock-${k}-0000wxyz` },
  {
    name: "compatible",
    provider: "compatible",
    modelId: "mock-model",
    key: (k) => `local-mock-${k}-0000wxyz`,
    baseUrl: (m) => m.baseUrls.compatible,
  },
];
