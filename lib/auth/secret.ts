import { env, readDataSecret } from "@/lib/env";

// AUTH_SECRET signs and encrypts session cookies. Embedded installs get one generated into the
// data directory at first start, so a fresh checkout needs no configuration.
export function authSecret(): string {
  const e = env();
  const secret = e.AUTH_SECRET ?? (e.embedded ? readDataSecret("auth.secret") : undefined);
  if (!secret) {
    throw new Error(
      e.embedded
        ? `No auth secret: set AUTH_SECRET or create ${e.dataDir}/auth.secret (the start script does this).`
        : "AUTH_SECRET must be set when DATABASE_URL is set.",
    );
  }
  return secret;
}
