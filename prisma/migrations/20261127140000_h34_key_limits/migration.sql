-- Spending limits per key (issue 15): a limit belongs to the provider (scope "", every key's use
-- together, as before) or to one key (scope = keyId). Existing rows stay provider-wide.
DROP INDEX "SpendingLimit_userId_provider_period_unit_key";

ALTER TABLE "SpendingLimit" ADD COLUMN "keyId" TEXT,
ADD COLUMN "scope" TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX "SpendingLimit_userId_provider_scope_period_unit_key" ON "SpendingLimit"("userId", "provider", "scope", "period", "unit");

CREATE INDEX "SpendingLimit_keyId_idx" ON "SpendingLimit"("keyId");

ALTER TABLE "SpendingLimit" ADD CONSTRAINT "SpendingLimit_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ProviderKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;
