import { PROVIDERS } from "@/lib/ai/registry";
import { type TokenCaller, tokenAllows } from "@/lib/api-tokens/tokens";
import type { V1Deps } from "./deps";

// GET /v1/models: the models this token can run now, as `provider/model`: providers the user
// has a usable key for (their own, or the operator's where the fallback rule allows it),
// narrowed to the token's scope. An OpenAI-compatible endpoint has no fixed list: its models
// appear when the token names them, and as `compatible:<endpoint name>/<model>` for each of the
// user's endpoints whose server listed its models (lib/keys/endpoints.ts).

export type V1Model = { id: string; object: "model"; created: number; owned_by: string };

export async function listV1Models(
  caller: TokenCaller,
  deps: Pick<V1Deps, "usableProviders" | "endpointModels">,
): Promise<{ object: "list"; data: V1Model[] }> {
  const [usable, endpoints] = await Promise.all([
    deps.usableProviders(caller.userId),
    deps.endpointModels ? deps.endpointModels(caller.userId) : [],
  ]);
  const data: V1Model[] = [];
  for (const p of usable) {
    if (!p.source) continue;
    const ids =
      p.provider === "compatible"
        ? caller.models.filter((m) => m.startsWith("compatible/")).map((m) => m.slice("compatible/".length))
        : PROVIDERS[p.provider].models.map((m) => m.id);
    for (const model of ids) {
      if (tokenAllows(caller, p.provider, model)) {
        data.push({ id: `${p.provider}/${model}`, object: "model", created: 0, owned_by: p.provider });
      }
    }
    if (p.provider !== "compatible" || p.source !== "personal") continue;
    for (const e of endpoints) {
      for (const m of e.cache?.models ?? []) {
        if (m.goneAt || !tokenAllows(caller, p.provider, m.id)) continue;
        data.push({ id: `compatible:${e.name}/${m.id}`, object: "model", created: 0, owned_by: p.provider });
      }
    }
  }
  return { object: "list", data };
}
