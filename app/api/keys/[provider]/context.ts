import { isProviderId, type ProviderId } from "@/lib/ai";
import { clientIp } from "@/lib/auth/credentials";
import { AppError } from "@/lib/errors";
import type { RequestContext } from "@/lib/keys";

export type ProviderParams = { params: Promise<{ provider: string }> };

/** Unknown providers are a missing resource, checked before the body is read. */
export async function providerParam(ctx: ProviderParams): Promise<ProviderId> {
  const { provider } = await ctx.params;
  if (!isProviderId(provider)) throw new AppError("NOT_FOUND", "Unknown provider.");
  return provider;
}

export function requestContext(req: Request): RequestContext {
  return { ip: clientIp(req.headers), userAgent: req.headers.get("user-agent") };
}
