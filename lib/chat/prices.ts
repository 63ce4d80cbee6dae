// The price table lives with the provider registry (lib/ai/prices.ts), so lib/keys' spending
// limits can read it without importing the chat layer above them.
export * from "@/lib/ai/prices";
