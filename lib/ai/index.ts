// Browser-safe entry point: the provider registry only. Server code imports the rest from
// their own modules (`@/lib/ai/model`, `@/lib/ai/test-key`, `@/lib/ai/errors`).
export * from "./registry";
