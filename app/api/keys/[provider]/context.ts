import { clientIp } from "@/lib/client-ip";
import { keyTarget } from "@/lib/keys/manage";
import type { KeyTarget } from "@/lib/keys/order";
import type { RequestContext } from "@/lib/keys/schemas";

// The segment is a provider id (that provider's first key: the one-key API, unchanged) or a key
// id. Next.js allows one dynamic segment name per level, hence one segment for both.
export type ProviderParams = { params: Promise<{ provider: string }> };

/**
 * Unknown providers and key ids that are not the caller's are a missing resource, checked
 * before the body is read. Call after the user is authenticated: the id lookup names the owner.
 */
export async function keyParam(ctx: ProviderParams, userId: string): Promise<KeyTarget> {
  return keyTarget(userId, (await ctx.params).provider);
}

export function requestContext(req: Request): RequestContext {
  return { ip: clientIp(req.headers), userAgent: req.headers.get("user-agent") };
}
