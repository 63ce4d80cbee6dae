import { streamText, generateText } from "ai";
import { startMockUpstream } from "/work/main/e2e/mock-upstream/server.mjs";

const mock = await startMockUpstream({});
process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
process.env.GROQ_BASE_URL = mock.baseUrls.groq;
process.env.GOOGLE_GENERATIVE_AI_BASE_URL = mock.baseUrls.google;
const { createLanguageModel } = await import("/work/main/lib/ai/model.ts");
const { toAppError, classifyError } = await import("/work/main/lib/ai/errors.ts");
const { testProviderKey } = await import("/work/main/lib/ai/test-key.ts");

const cfgs = [
  ["openai", "sk-mock-%s-0000abcd", "gpt-5-mini", undefined],
  ["openai-chat", "sk-mock-%s-0000abcd", "gpt-4.1-mini", undefined],
  ["groq", "gsk_mock_%s_0000abcd", "llama-3.3-70b-versatile", undefined],
  ["google", "AIza-mock-%s-0000abcd", "gemini-2.5-flash", undefined],
  ["compatible", "ck-mock-%s-0000abcd", "mock-model", mock.baseUrls.compatible],
] as const;
for (const [p, keyT, modelId, baseUrl] of cfgs) {
  for (const knob of (process.env.KNOBS ?? "ok,invalid,forbidden,quota,ratelimit,server-error,midfail,midcut,model-denied").split(",")) {
    const provider = p === "openai-chat" ? "openai" : p;
    const model = createLanguageModel({ provider, apiKey: keyT.replace("%s", knob), modelId, baseUrl, openaiApi: p === "openai-chat" ? "chat" : undefined });
    const r = streamText({ model, prompt: "hello world", maxRetries: 0, onError: () => {} });
    const parts: string[] = [];
    let text = "";
    let err: unknown;
    let thrown = "";
    try { for await (const part of r.fullStream) {
      parts.push(part.type);
      if (part.type === "text-delta") text += part.text;
      if (part.type === "error") err = part.error;
    } } catch (e) { thrown = "THROWN "; err = e; }
    let usage; try { usage = await r.usage; } catch (e) { usage = "rej:" + (e as Error).name; }
    const ae = err ? toAppError(err) : null;
    console.log(p, knob, "| text:", JSON.stringify(text.slice(0, 40)), "| err:", thrown, err ? `${(err as Error).name} ${(err as any).statusCode}` : "-", "|", ae?.code, ae?.retryAfter ?? "", "| usage", JSON.stringify(usage)?.slice(0, 60));
  }
  const t = await testProviderKey({ provider: p === "openai-chat" ? "openai" : p as any, apiKey: keyT.replace("%s", "quota"), baseUrl, modelId: p === "compatible" ? "mock-model" : undefined });
  console.log("   test quota:", t);
}
await mock.close();
