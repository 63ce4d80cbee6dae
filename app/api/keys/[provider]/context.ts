import type { ProviderId } from "@/lib/ai/registry";
import { clientIp } from "@/lib/client-ip";
import { parseProvider, type RequestContext } from "@/lib/keys/schemas";

export type ProviderParams = { params: Promise<{ provider: string }> };

/** Unknown providers are a missing resource, checked before the body is read. */
export async function providerParam(ctx: ProviderParams): Promise<ProviderId> {
  return parseProvider((await ctx.params).provider);
}

export function requestContext(req: Request): RequestContext {
  return { ip: clientIp(req.headers), userAgent: req.headers.get("user-agent") };
}
